package mockserver

import (
	"encoding/base64"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
)

func (m *testMock) listEntities(body any) envelope {
	m.t.Helper()
	var env envelope
	m.mustStatus(m.api("POST", "/api/v1/entities/", body), 200).json(m.t, &env)
	return env
}

func TestEntitySeed(t *testing.T) {
	a, b := newTestMock(t, Options{}), newTestMock(t, Options{})
	ea := a.Entities()
	if !reflect.DeepEqual(ea, b.Entities()) {
		t.Fatal("the same seed and clock gave different entities")
	}
	if c := newTestMock(t, Options{Seed: 7}).Entities(); reflect.DeepEqual(c, ea) {
		t.Error("another seed gave the same entities")
	}
	var users, accounts, guests, multi, admins, external int
	statuses := map[int]int{}
	instances := map[int]int{}
	for _, e := range ea {
		statuses[e.Status]++
		instances[e.Instance]++
		switch {
		case e.Type == entityTypeUser:
			users++
			if len(e.Accounts) >= 3 {
				multi++
			}
		case e.User == nil:
			guests++
		default:
			accounts++
		}
		if e.IsAdmin {
			admins++
		}
		if e.IsExternal {
			external++
		}
	}
	if users != seededEntityUsers || guests != seededOrphanAccounts || accounts < users || multi < 10 || admins < 10 || external < 30 {
		t.Errorf("users %d, accounts %d, guests %d, users with 3+ accounts %d, admins %d, external %d", users, accounts, guests, multi, admins, external)
	}
	for s := range 5 {
		if statuses[s] < 5 {
			t.Errorf("status %d: %d entities", s, statuses[s])
		}
	}
	if instances[1] < 5 {
		t.Errorf("instance 1: %d entities", instances[1])
	}
}

func TestEntityList_filtersAndPaging(t *testing.T) {
	m := newTestMock(t, Options{})
	all := m.Entities()
	env := m.listEntities(map[string]any{"limit": 500})
	if len(env.Data) != 100 || !env.HasNext || env.Total != len(all) || str(env.Data[0]["_id"]) != all[0].InternalID {
		t.Fatalf("first page: %d items, hasNext %v, total %d (want 100, true, %d)", len(env.Data), env.HasNext, env.Total, len(all))
	}
	count := func(keep func(Entity) bool) int {
		n := 0
		for _, e := range all {
			if keep(e) {
				n++
			}
		}
		return n
	}
	for _, c := range []struct {
		name    string
		filters map[string]any
		keep    func(Entity) bool
	}{
		{"user word", map[string]any{"type": map[string]any{"eq": "User"}}, func(e Entity) bool { return e.Type == 2 }},
		{"account code", map[string]any{"type": map[string]any{"eq": []int{1}}}, func(e Entity) bool { return e.Type == 1 }},
		{"admins", map[string]any{"isAdmin": map[string]any{"eq": true}}, func(e Entity) bool { return e.IsAdmin }},
		{"external", map[string]any{"isExternal": map[string]any{"eq": "false"}}, func(e Entity) bool { return !e.IsExternal }},
		{"domain", map[string]any{"domain": map[string]any{"eq": []string{"gmail.com", "fabrikam.com"}}}, func(e Entity) bool {
			return e.Domain == "gmail.com" || e.Domain == "fabrikam.com"
		}},
		{"no organization", map[string]any{"organization": map[string]any{"isnotset": true}}, func(e Entity) bool { return e.Organization == "" }},
		{"status", map[string]any{"status": map[string]any{"neq": []int{2}}}, func(e Entity) bool { return e.Status != 2 }},
		{"box 1", map[string]any{"app": map[string]any{"eq": 10489}, "instance": map[string]any{"eq": 1}}, func(e Entity) bool {
			return e.App == 10489 && e.Instance == 1
		}},
		{"group", map[string]any{"userGroups": map[string]any{"eq": []string{entityGroups[3].id}}}, func(e Entity) bool {
			return slices.Contains(e.UserGroups, entityGroups[3].id)
		}},
	} {
		want := count(c.keep)
		if want == 0 || want == len(all) {
			t.Fatalf("%s: matches %d of %d", c.name, want, len(all))
		}
		if got := m.listEntities(map[string]any{"filters": c.filters}).Total; got != want {
			t.Errorf("%s: total %d, want %d", c.name, got, want)
		}
	}

	// A selected user also returns its accounts.
	var user Entity
	for _, e := range all {
		if e.Type == entityTypeUser && len(e.Accounts) >= 2 {
			user = e
			break
		}
	}
	env = m.listEntities(map[string]any{"filters": map[string]any{"entity": map[string]any{"eq": []map[string]any{{"id": user.ID, "inst": 0}}}}})
	if env.Total != 1+len(user.Accounts) {
		t.Errorf("entity filter on a user: %d entities, want the user and its %d accounts", env.Total, len(user.Accounts))
	}

	m.mustStatus(m.api("POST", "/api/v1/entities/", map[string]any{"filters": map[string]any{"type": map[string]any{"eq": "group"}}}), 400)
	m.mustStatus(m.api("POST", "/api/v1/entities/", map[string]any{"filters": map[string]any{"domain": map[string]any{"gte": "a"}}}), 400)
}

func TestEntityFetchAndTree(t *testing.T) {
	m := newTestMock(t, Options{})
	var user, guest Entity
	for _, e := range m.Entities() {
		if user.ID == "" && e.Type == entityTypeUser && len(e.Accounts) >= 3 {
			user = e
		}
		if guest.ID == "" && e.Type == entityTypeAccount && e.User == nil {
			guest = e
		}
	}
	key := user.Ref().Key()
	for _, path := range []string{"/api/v1/entities/" + key + "/", "/api/v1/entities/" + key, "/cas/api/v1/entities/" + key + "/"} {
		for _, method := range []string{"GET", "POST"} {
			obj := m.mustStatus(m.api(method, path, nil), 200).object(t)
			if obj["id"] != user.ID || obj["_id"] != user.InternalID {
				t.Errorf("%s %s: %v", method, path, obj["id"])
			}
		}
	}
	// Key order and padding do not matter.
	alt := base64.RawURLEncoding.EncodeToString([]byte(`{"inst": 0, "saas": 11161, "id": "` + user.ID + `"}`))
	m.mustStatus(m.api("GET", "/api/v1/entities/"+alt+"/", nil), 200)

	// The tree: the user and its accounts, from the user or from any account.
	acct := user.Accounts[1]
	for _, k := range []string{key, acct.Key()} {
		for _, suffix := range []string{"/retrieve_tree/", "/retrieve_tree"} {
			for _, method := range []string{"GET", "POST"} {
				obj := m.mustStatus(m.api(method, "/api/v1/entities/"+k+suffix, nil), 200).object(t)
				kids, _ := obj["children"].([]any)
				var ids []string
				for _, kid := range kids {
					k, _ := kid.(map[string]any)
					ids = append(ids, str(k["id"]))
				}
				var want []string
				for _, a := range user.Accounts {
					want = append(want, a.ID)
				}
				if obj["id"] != user.ID || !slices.Equal(ids, want) {
					t.Errorf("%s tree of %s: root %v, children %v; want %s and %v", method, k, obj["id"], ids, user.ID, want)
				}
			}
		}
	}
	obj := m.mustStatus(m.api("GET", "/api/v1/entities/"+guest.Ref().Key()+"/retrieve_tree/", nil), 200).object(t)
	if kids, ok := obj["children"].([]any); obj["id"] != guest.ID || !ok || len(kids) != 0 {
		t.Errorf("guest tree: %v", obj)
	}

	missing := EntityRef{ID: "nobody@contoso.com", App: 11161}.Key()
	r := m.mustStatus(m.api("GET", "/api/v1/entities/"+missing+"/", nil), 404)
	if !strings.Contains(string(r.body), "detail") {
		t.Errorf("404 body %s", r.body)
	}
	formErrorsOf(t, m.api("GET", "/api/v1/entities/not-base64!/", nil), "pk")
}

func TestEntityWire_quirks(t *testing.T) {
	m := newTestMock(t, Options{})
	body := string(m.mustStatus(m.api("POST", "/api/v1/entities/", map[string]any{"limit": 100}), 200).body)
	for _, want := range []string{`"Id":"`, `"email":null`, `"organization":null`, `"username":"{\"id\": `, `"accounts":[{"_id":"fa-`} {
		if !strings.Contains(body, want) {
			t.Errorf("the first page has no %s", want)
		}
	}
	if !regexp.MustCompile(`"lastSeen":"[0-9T:-]+\.[0-9]{6}Z"`).MatchString(body) {
		t.Error("no lastSeen with microseconds on the first page")
	}
	// "Id" comes after "id", so a decoder that ignores case takes the wrong one.
	if i, j := strings.Index(body, `"id":"`), strings.Index(body, `"Id":"`); i < 0 || j < i {
		t.Error(`"Id" is not written after "id"`)
	}
}
