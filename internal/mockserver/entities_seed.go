package mockserver

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"
)

// Seeded entities: users in the tenant's directory (Office 365), each with accounts in
// one to four apps, and external accounts that belong to no user (guests invited into a
// Box folder, say). Sizes are chosen so that every filter value matches several entities
// and a listing of all of them takes five pages.
const (
	seededEntityUsers    = 150
	seededOrphanAccounts = 25
)

// entityApp is an app entities live in.
type entityApp struct {
	id, instance int
	name         string
}

// homeApp is where the users are: MDA shows directory users under Office 365 (11161 in
// every example of mda-api.md §5).
var homeApp = entityApp{11161, 0, "Office 365"}

// accountApps are the other apps users hold accounts in. Box has two instances, so the
// instance filter has something to tell apart.
var accountApps = []entityApp{
	{11770, 0, "Google Workspace"},
	{10489, 0, "Box"},
	{10489, 1, "Box"},
	{11114, 0, "Salesforce"},
	{11627, 0, "Dropbox"},
	{12260, 0, "Microsoft Azure"},
}

// entityGroup is a user group. ids are the "id" the userGroups filter takes; "_id" is
// another ObjectId ([3P]: the XSOAR example has both).
type entityGroup struct {
	dbID, id, name, description string
}

var entityGroups = []entityGroup{
	{"5e6fa9ade2367fc6340f4801", "0000003b0000000000000000", "Application (Cloud App Security)", "App-initiated"},
	{"5e6fa9ade2367fc6340f4802", "5e6fa9ade2367fc6340f4872", "Office 365 administrator", "Users with an admin role in Office 365"},
	{"5e6fa9ade2367fc6340f4803", "5e6fa9ade2367fc6340f4873", "External users", "Users outside the tenant's domains"},
	{"5e6fa9ade2367fc6340f4804", "5e6fa9ade2367fc6340f4874", "Finance", "Imported from Entra ID"},
	{"5e6fa9ade2367fc6340f4805", "5e6fa9ade2367fc6340f4875", "Engineering", "Imported from Entra ID"},
}

// entityDomain is a mail domain and what MDA knows of it.
type entityDomain struct {
	name, org string // org "" is served as null
	external  bool
	weight    int
}

var entityDomains = []entityDomain{
	{"contoso.com", "Contoso Ltd.", false, 10},
	{"fabrikam.com", "Fabrikam, Inc.", false, 4},
	{"partner.example", "Partner Consulting", true, 2},
	{"gmail.com", "", true, 2},
}

var (
	firstNames = []string{"Alice", "Bob", "Carol", "Dave", "Erin", "Frank", "Grace", "Heidi", "Ivan", "Judy", "Mallory", "Niaj", "Olivia", "Peggy", "Rupert", "Sybil", "Trent", "Victor", "Walter", "Yara"}
	lastNames  = []string{"Johnson", "Smith", "Martinez", "Lee", "Brown", "Wilson", "Kim", "Novak", "Garcia", "Okafor", "Svensson", "Dubois", "Rossi", "Tanaka", "Nguyen"}
)

// newEntityStore seeds the tenant's users and accounts from seed; the same seed and now
// give the same entities.
func newEntityStore(seed uint64, now time.Time) *entityStore {
	es := &entityStore{byKey: map[string]*entity{}}
	rng := rand.New(rand.NewPCG(seed, 0x656e746974696573))
	counter := uint64(0)
	objectID := func() string {
		counter++
		return fmt.Sprintf("5f01dc3d%010x%06x", splitmix(seed^counter*0x9e3779b97f4a7c15)&0xffffffffff, counter&0xffffff)
	}
	guid := func() string {
		a, b := rng.Uint64(), rng.Uint64()
		return fmt.Sprintf("%08x-%04x-4%03x-%04x-%012x", uint32(a>>32), uint16(a>>16), uint16(a)&0xfff, uint16(b>>48)&0x3fff|0x8000, b&0xffffffffffff)
	}
	lastSeen := func() time.Time {
		return now.Add(-time.Duration(rng.Int64N(int64(60 * 24 * time.Hour)))).UTC().Truncate(time.Millisecond)
	}
	pickDomain := func() entityDomain {
		total := 0
		for _, d := range entityDomains {
			total += d.weight
		}
		n := rng.IntN(total)
		for _, d := range entityDomains {
			if n < d.weight {
				return d
			}
			n -= d.weight
		}
		return entityDomains[0]
	}
	// Mostly active; every status appears.
	pickStatus := func() int {
		return []int{0, 1, 2, 2, 2, 2, 2, 2, 3, 4}[rng.IntN(10)]
	}

	for i := range seededEntityUsers {
		first, last := firstNames[i%len(firstNames)], lastNames[(i/len(firstNames)+i)%len(lastNames)]
		d := pickDomain()
		local := strings.ToLower(fmt.Sprintf("%s.%s%d", first, last, i))
		email := local + "@" + d.name
		isAdmin := !d.external && rng.IntN(8) == 0
		var groups []string
		if isAdmin {
			groups = append(groups, entityGroups[1].id)
		}
		if d.external {
			groups = append(groups, entityGroups[2].id)
		} else if g := rng.IntN(3); g < 2 {
			groups = append(groups, entityGroups[3+g].id)
		}
		u := &entity{Entity: Entity{
			InternalID:   objectID(),
			ID:           guid(),
			Type:         entityTypeUser,
			Status:       pickStatus(),
			DisplayName:  first + " " + last,
			Email:        email,
			Domain:       d.name,
			Organization: d.org,
			IsAdmin:      isAdmin,
			IsExternal:   d.external,
			LastSeen:     lastSeen(),
			App:          homeApp.id,
			AppName:      homeApp.name,
			Instance:     homeApp.instance,
			UserGroups:   groups,
		}}
		// A few users MDA knows no mail for (service accounts and the like).
		if i%23 == 7 {
			u.Email = ""
		}
		es.insert(u)

		// Every user has its Office 365 account (keyed by UPN), and up to three more.
		apps := []entityApp{homeApp}
		for _, k := range rng.Perm(len(accountApps))[:rng.IntN(4)] {
			apps = append(apps, accountApps[k])
		}
		for _, app := range apps {
			id := local + "@" + d.name // the UPN, which stays when MDA knows no mail
			if app.id == 11114 {
				id = fmt.Sprintf("005%012X", rng.Uint64()&0xffffffffffff) // a Salesforce user id
			}
			a := &entity{Entity: Entity{
				InternalID:   objectID(),
				ID:           id,
				Type:         entityTypeAccount,
				Status:       u.Status,
				DisplayName:  u.DisplayName,
				Email:        u.Email,
				Domain:       u.Domain,
				Organization: u.Organization,
				IsAdmin:      u.IsAdmin && app.id == homeApp.id || rng.IntN(12) == 0,
				IsExternal:   u.IsExternal,
				LastSeen:     lastSeen(),
				App:          app.id,
				AppName:      app.name,
				Instance:     app.instance,
				UserGroups:   append([]string(nil), groups...),
			}}
			if es.byKey[a.key()] != nil {
				continue
			}
			ref := u.ref()
			a.User = &ref
			u.Accounts = append(u.Accounts, a.ref())
			es.insert(a)
		}
	}

	// Guests in the file-sharing apps who belong to no user of the tenant.
	for i := range seededOrphanAccounts {
		app := accountApps[[]int{1, 2, 4, 0}[i%4]]
		d := entityDomains[2+i%2]
		name := fmt.Sprintf("Guest %s %d", lastNames[i%len(lastNames)], i)
		email := fmt.Sprintf("guest%d@%s", i, d.name)
		a := &entity{Entity: Entity{
			InternalID:   objectID(),
			ID:           email,
			Type:         entityTypeAccount,
			Status:       []int{0, 2, 2}[i%3],
			DisplayName:  name,
			Email:        email,
			Domain:       d.name,
			Organization: d.org,
			IsExternal:   true,
			LastSeen:     lastSeen(),
			App:          app.id,
			AppName:      app.name,
			Instance:     app.instance,
			UserGroups:   []string{entityGroups[2].id},
		}}
		es.insert(a)
	}

	// Payload quirks of the real API (mda-api.md §1.6, §5), spread over the seed:
	for i, e := range es.items {
		switch {
		case i%7 == 3:
			// "Id" next to "id", with another value: MCASPS renames it before parsing.
			e.legacyID = strings.ToUpper(e.InternalID)
		case i%11 == 5:
			// lastSeen with microseconds, as MCASPS's example shows it.
			e.microSeen = true
		}
		if !e.microSeen {
			// The XSOAR example's form has whole seconds: keep only what is served.
			e.LastSeen = e.LastSeen.Truncate(time.Second)
		}
	}
	return es
}
