package mockserver

import (
	"fmt"
	"slices"
	"time"
)

// store is the tenant's data. Every method expects Server.mu to be held.
type store struct {
	seed    uint64
	counter uint64 // feeds newObjectID
	tid     int    // the tenant number in "_tid"

	subnets []*subnet // creation order, which is the list's default order ([U])
	byID    map[string]*subnet
	tags    []*tag
	seeded  int // SeedSubnets calls so far, so repeated seeding stays distinct

	alerts *alertStore
	files  *fileStore
	// entities is seeded on first use (Server.entityStore).
	entities *entityStore
	// activities is seeded on first use (Server.activityStore).
	activities *activityStore
	// streams are the Cloud Discovery reports (discovery_streams_seed.go), shared by the
	// REST discovery routes and the Graph beta surface.
	streams []*discoveryStream
}

// subnet is a range as stored. Tags are held by tag id so a renamed tag shows everywhere.
type subnet struct {
	id           string
	name         string
	category     int
	cidrs        []SubnetCIDR
	location     *Location
	organization *string
	tagIDs       []string
	builtIn      bool
	lastModified float64
}

type tag struct {
	dbID, id, name string
	typ            int // 2 built-in, 0 custom ([I] from the two examples in mda-api.md 2.1)
	description    string
	template       string // built-ins: the SAGE_BUILTIN_TAG_<X> stem of their templates
}

// Location is a range's location override: null unless set out of band, since the API
// documents no way to set it.
type Location struct {
	Name        string  `json:"name"`
	Latitude    float64 `json:"latitude"`
	Longitude   float64 `json:"longitude"`
	CountryCode string  `json:"countryCode"`
	CountryName string  `json:"countryName"`
}

func newStore(seed int64, now time.Time) *store {
	st := &store{seed: uint64(seed), byID: map[string]*subnet{}}
	st.tid = 100000000 + int(splitmix(st.seed)%900000000)
	st.seedBuiltIns(now)
	st.alerts = newAlertStore(st.seed, now)
	st.files = newFileStore(st.seed, now)
	st.seedStreams(now)
	return st
}

// newObjectID returns a 24-hex id like a MongoDB ObjectId. It is a function of the seed
// and a counter, so the same seed and the same calls give the same ids, and the counter
// in the low bytes keeps them unique.
func (st *store) newObjectID() string {
	st.counter++
	return fmt.Sprintf("%016x%08x", splitmix(st.seed^st.counter*0x9e3779b97f4a7c15), uint32(st.counter))
}

// splitmix is SplitMix64's finaliser: a cheap, well-mixed hash of one word.
func splitmix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ x>>30) * 0xbf58476d1ce4e5b9
	x = (x ^ x>>27) * 0x94d049bb133111eb
	return x ^ x>>31
}

// lastModified is a float of ms with a fraction, as the API sends (1607952165309.8032).
func lastModified(now time.Time) float64 {
	return float64(now.UnixNano()) / 1e6
}

func (st *store) subnetByName(name string) *subnet {
	for _, s := range st.subnets {
		if s.name == name {
			return s
		}
	}
	return nil
}

func (st *store) insert(s *subnet) {
	st.subnets = append(st.subnets, s)
	st.byID[s.id] = s
}

func (st *store) remove(id string) bool {
	if _, ok := st.byID[id]; !ok {
		return false
	}
	delete(st.byID, id)
	st.subnets = slices.DeleteFunc(st.subnets, func(s *subnet) bool { return s.id == id })
	return true
}

func (st *store) tagByID(id string) *tag {
	for _, t := range st.tags {
		if t.id == id {
			return t
		}
	}
	return nil
}

// resolveTag finds a tag for a request string: an existing tag id first, then an
// existing name, else a new custom tag, which is what "entering a word into the box
// creates the tag" suggests (mda-api.md 2.2, [I]). Names match exactly ([U]).
func (st *store) resolveTag(s string) *tag {
	if t := st.tagByID(s); t != nil {
		return t
	}
	for _, t := range st.tags {
		if t.name == s {
			return t
		}
	}
	t := &tag{dbID: st.newObjectID(), id: st.newObjectID(), name: s}
	st.tags = append(st.tags, t)
	return t
}

// resolveTags returns tag ids for request strings, without duplicates, in request order.
func (st *store) resolveTags(names []string) []string {
	ids := make([]string, 0, len(names))
	for _, n := range names {
		id := st.resolveTag(n).id
		if !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	return ids
}

func (st *store) renderTag(t *tag) Tag {
	out := Tag{DBID: t.dbID, ID: t.id, Target: 1, Type: t.typ, Name: t.name, Status: 0, TenantID: st.tid}
	if t.typ == 2 {
		vis := 0
		out.NameTemplate = &Template{Template: "SAGE_BUILTIN_TAG_" + t.template + "_NAME"}
		out.Description = t.description
		out.DescriptionTemplate = &Template{Template: "SAGE_BUILTIN_TAG_" + t.template + "_DESCRIPTION"}
		out.Visibility = &vis
	}
	return out
}

func (st *store) render(s *subnet) Subnet {
	tags := make([]Tag, 0, len(s.tagIDs))
	for _, id := range s.tagIDs {
		if t := st.tagByID(id); t != nil {
			tags = append(tags, st.renderTag(t))
		}
	}
	return Subnet{
		ID:           s.id,
		Name:         s.name,
		Subnets:      slices.Clone(s.cidrs),
		Location:     clonePtr(s.location),
		Organization: clonePtr(s.organization),
		Tags:         tags,
		Category:     s.category,
		LastModified: s.lastModified,
		TenantID:     st.tid,
		BuiltIn:      s.builtIn,
	}
}
