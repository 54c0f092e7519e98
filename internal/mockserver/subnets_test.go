package mockserver

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

var objectIDRe = regexp.MustCompile(`^[0-9a-f]{24}$`)

func TestCreateSubnet(t *testing.T) {
	m := newTestMock(t, Options{})
	r := m.mustStatus(m.api("POST", "/api/v1/subnet/create_rule/", map[string]any{
		"name": "range name", "category": 5, "organization": "Microsoft",
		"subnets": []string{"192.168.1.0/24", "192.168.2.0/16"}, "tags": []string{"existing tag"},
		"overrideOrganization": true,
	}), 200)
	// The body is a JSON string literal, not an object.
	if !strings.HasPrefix(string(r.body), `"`) {
		t.Fatalf("create body %s is not a JSON string", r.body)
	}
	var id string
	r.json(t, &id)
	if !objectIDRe.MatchString(id) {
		t.Fatalf("id %q is not 24 lower-case hex", id)
	}

	r = m.mustStatus(m.api("GET", "/api/v1/subnet/"+id+"/", nil), 200)
	var raw map[string]json.RawMessage
	r.json(t, &raw)
	if _, ok := raw["builtIn"]; ok {
		t.Error("API object carries builtIn; the real API is not known to send it")
	}
	if loc, ok := raw["location"]; !ok || string(loc) != "null" {
		t.Errorf("location = %s, want null and present", loc)
	}
	var got wireSubnet
	r.json(t, &got)
	if got.Organization == nil || *got.Organization != "Microsoft" || got.Category != 5 || got.Name != "range name" || got.TenantID == 0 {
		t.Errorf("got %+v", got)
	}
	want := SubnetCIDR{Mask: 112, Address: "0000:0000:0000:0000:0000:ffff:c0a8:0000", OriginalString: "192.168.2.0/16"}
	if len(got.Subnets) != 2 || got.Subnets[1] != want {
		t.Errorf("subnets = %+v", got.Subnets)
	}
	if len(got.Tags) != 1 {
		t.Fatalf("tags = %+v", got.Tags)
	}
	tg := got.Tags[0]
	if tg.Name != "existing tag" || tg.Type != 0 || tg.Target != 1 || tg.Status != 0 || !objectIDRe.MatchString(tg.ID) ||
		!objectIDRe.MatchString(tg.DBID) || tg.ID == tg.DBID || tg.NameTemplate != nil || tg.TenantID != got.TenantID {
		t.Errorf("tag = %+v", tg)
	}
	if got.LastModified != float64(m.clock.Now().UnixNano())/1e6 {
		t.Errorf("lastModified = %v", got.LastModified)
	}
}

func TestCreateSubnetTagResolution(t *testing.T) {
	m := newTestMock(t, Options{})
	first := m.create(map[string]any{"name": "a", "category": 1, "subnets": []string{"10.0.0.0/8"}, "tags": []string{"office"}})
	a, _ := m.Subnet(first)
	officeID := a.Tags[0].ID

	// By built-in id, by built-in name, by an existing custom name and by its id; the
	// duplicate (name and id of one tag) collapses.
	id := m.create(map[string]any{"name": "b", "category": 1, "subnets": []string{"11.0.0.0/8"},
		"tags": []string{"000000290000000000000000", "Microsoft Azure", "office", officeID, "brand new"}})
	b, _ := m.Subnet(id)
	var got []string
	for _, tg := range b.Tags {
		got = append(got, fmt.Sprintf("%s/%s/%d", tg.ID, tg.Name, tg.Type))
	}
	want := []string{"000000290000000000000000/Amazon Web Services/2", "0000002a0000000000000000/Microsoft Azure/2", officeID + "/office/0"}
	if len(got) != 4 || !slices.Equal(got[:3], want) || !strings.HasSuffix(got[3], "/brand new/0") {
		t.Fatalf("tags = %v", got)
	}
	if b.Tags[0].NameTemplate == nil || b.Tags[0].NameTemplate.Template != "SAGE_BUILTIN_TAG_AMAZON_WEB_SERVICES_NAME" {
		t.Errorf("built-in tag template = %+v", b.Tags[0].NameTemplate)
	}
}

func TestCreateSubnetRejects(t *testing.T) {
	m := newTestMock(t, Options{})
	valid := func() map[string]any {
		return map[string]any{"name": "ok", "category": 1, "subnets": []string{"10.0.0.0/8"}}
	}
	tests := []struct {
		name  string
		edit  func(map[string]any)
		field string
		value string
	}{
		{"bad CIDR", func(b map[string]any) { b["subnets"] = []string{"10.0.0.0/8", "10.0.0.999/24"} }, "subnets", "10.0.0.999/24"},
		{"IPv4 prefix over 32", func(b map[string]any) { b["subnets"] = []string{"10.0.0.0/33"} }, "subnets", "10.0.0.0/33"},
		{"IPv6 prefix over 128", func(b map[string]any) { b["subnets"] = []string{"2001:db8::/129"} }, "subnets", "2001:db8::/129"},
		{"empty subnets", func(b map[string]any) { b["subnets"] = []string{} }, "subnets", "[]"},
		{"missing subnets", func(b map[string]any) { delete(b, "subnets") }, "subnets", ""},
		{"subnets not a list", func(b map[string]any) { b["subnets"] = "10.0.0.0/8" }, "subnets", "10.0.0.0/8"},
		{"empty name", func(b map[string]any) { b["name"] = "" }, "name", ""},
		{"blank name", func(b map[string]any) { b["name"] = "  " }, "name", "  "},
		{"missing name", func(b map[string]any) { delete(b, "name") }, "name", ""},
		{"category 0", func(b map[string]any) { b["category"] = 0 }, "category", "0"},
		{"category 7", func(b map[string]any) { b["category"] = 7 }, "category", "7"},
		{"category as string", func(b map[string]any) { b["category"] = "5" }, "category", "5"},
		{"category missing", func(b map[string]any) { delete(b, "category") }, "category", ""},
		{"tag not a string", func(b map[string]any) { b["tags"] = []any{1} }, "tags", "1"},
		{"organization not a string", func(b map[string]any) { b["organization"] = 3 }, "organization", "3"},
		{"duplicate of a built-in name", func(b map[string]any) { b["name"] = "Microsoft Azure" }, "name", "Microsoft Azure"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := valid()
			tt.edit(body)
			errs := formErrorsOf(t, m.api("POST", "/api/v1/subnet/create_rule/", body), tt.field)
			if v := errs[len(errs)-1].Params["value"]; v != tt.value {
				t.Errorf("value = %q, want %q", v, tt.value)
			}
		})
	}
	if n := len(m.Subnets()); n != len(builtInRanges) {
		t.Errorf("rejected creates left %d ranges, want the %d built-ins", n, len(builtInRanges))
	}
	if r := m.api("POST", "/api/v1/subnet/create_rule/", "{not json"); r.status != 400 || !strings.Contains(string(r.body), "detail") {
		t.Errorf("malformed JSON: %d %s", r.status, r.body)
	}
}

func TestCreateSubnetDuplicateName(t *testing.T) {
	m := newTestMock(t, Options{})
	m.create(map[string]any{"name": "office", "category": 1, "subnets": []string{"10.0.0.0/8"}})
	errs := formErrorsOf(t, m.api("POST", "/api/v1/subnet/create_rule/",
		map[string]any{"name": "office", "category": 2, "subnets": []string{"11.0.0.0/8"}}), "name")
	if !strings.Contains(errs[0].Error, "already exists") {
		t.Errorf("message = %v", errs[0].Error)
	}
	// Names compare exactly.
	m.create(map[string]any{"name": "Office", "category": 1, "subnets": []string{"12.0.0.0/8"}})
}

func TestCreateSubnetFormEncoded(t *testing.T) {
	m := newTestMock(t, Options{})
	r := m.mustStatus(m.api("POST", "/api/v1/subnet/create_rule/", url.Values{
		"name": {"form range"}, "category": {"4"}, "subnets": {"10.9.0.0/16"}, "tags": {"a", "b"},
	}), 200)
	var id string
	r.json(t, &id)
	s, _ := m.Subnet(id)
	if s.Category != 4 || len(s.Subnets) != 1 || len(s.Tags) != 2 {
		t.Errorf("got %+v", s)
	}
}

func TestOverlap(t *testing.T) {
	m := newTestMock(t, Options{RejectOverlap: true})
	id := m.create(map[string]any{"name": "a", "category": 1, "subnets": []string{"10.0.0.0/8"}})
	formErrorsOf(t, m.api("POST", "/api/v1/subnet/create_rule/", map[string]any{"name": "b", "category": 1, "subnets": []string{"10.1.0.0/16"}}), "subnets")
	// Built-in ranges do not count, and a range does not overlap itself on update.
	m.create(map[string]any{"name": "c", "category": 1, "subnets": []string{"13.64.1.0/24"}})
	m.mustStatus(m.api("POST", "/api/v1/subnet/"+id+"/update_rule/", map[string]any{"_id": id, "name": "a", "category": 1, "subnets": []string{"10.0.0.0/9"}}), 200)

	off := newTestMock(t, Options{})
	off.create(map[string]any{"name": "a", "category": 1, "subnets": []string{"10.0.0.0/8"}})
	off.create(map[string]any{"name": "b", "category": 1, "subnets": []string{"10.1.0.0/16"}})
}

func TestUpdateSubnetFullReplace(t *testing.T) {
	m := newTestMock(t, Options{})
	id := m.create(map[string]any{"name": "r", "category": 1, "organization": "ISP", "subnets": []string{"10.0.0.0/8"}, "tags": []string{"t1"}})
	m.clock.Advance(time.Second)
	before, _ := m.Subnet(id)

	var got wireSubnet
	m.mustStatus(m.api("POST", "/api/v1/subnet/"+id+"/update_rule/", map[string]any{
		"_id": id, "name": "r2", "category": 3, "subnets": []string{"2001:db8::/32"},
	}), 200).json(t, &got)
	if got.ID != id || got.Name != "r2" || got.Organization != nil || got.Tags == nil || len(got.Tags) != 0 {
		t.Errorf("response = %+v", got)
	}
	after, _ := m.Subnet(id)
	if after.Organization != nil || len(after.Tags) != 0 || after.Category != 3 || after.Subnets[0].Mask != 32 {
		t.Errorf("after update: %+v", after)
	}
	if after.LastModified <= before.LastModified {
		t.Errorf("lastModified did not move: %v -> %v", before.LastModified, after.LastModified)
	}
	// An unknown id is a 404, and so is a body that does not validate for it.
	m.mustStatus(m.api("POST", "/api/v1/subnet/0123456789abcdef01234567/update_rule/", map[string]any{"name": "x", "category": 1, "subnets": []string{"1.1.1.1"}}), 404)
	// _id must agree with the URL.
	formErrorsOf(t, m.api("POST", "/api/v1/subnet/"+id+"/update_rule/", map[string]any{"_id": "0123456789abcdef01234567", "name": "r2", "category": 3, "subnets": []string{"1.1.1.1"}}), "_id")
}

func TestUpdateSubnetSelfCollision(t *testing.T) {
	body := func(id string, withID bool) map[string]any {
		b := map[string]any{"name": "keep", "category": 2, "subnets": []string{"10.0.0.0/8"}}
		if withID {
			b["_id"] = id
		}
		return b
	}
	for _, require := range []bool{false, true} {
		t.Run(fmt.Sprint("RequireIDOnUpdate=", require), func(t *testing.T) {
			m := newTestMock(t, Options{RequireIDOnUpdate: require})
			id := m.create(body("", false))
			other := m.create(map[string]any{"name": "other", "category": 1, "subnets": []string{"11.0.0.0/8"}})
			path := "/api/v1/subnet/" + id + "/update_rule/"

			m.mustStatus(m.api("POST", path, body(id, true)), 200)
			r := m.api("POST", path, body(id, false))
			if require {
				formErrorsOf(t, r, "name")
			} else {
				m.mustStatus(r, 200)
			}
			// Renaming to a free name works either way; taking another range's name never does.
			b := body(id, false)
			b["name"] = "fresh"
			m.mustStatus(m.api("POST", path, b), 200)
			b["name"] = "other"
			b["_id"] = id
			formErrorsOf(t, m.api("POST", path, b), "name")
			_ = other
		})
	}
}

func TestDeleteSubnet(t *testing.T) {
	m := newTestMock(t, Options{})
	id := m.create(map[string]any{"name": "gone", "category": 1, "subnets": []string{"10.0.0.0/8"}})
	r := m.mustStatus(m.api("DELETE", "/api/v1/subnet/"+id+"/", nil), 200)
	if string(r.body) != "{}" {
		t.Errorf("delete body = %s", r.body)
	}
	r = m.mustStatus(m.api("DELETE", "/api/v1/subnet/"+id+"/", nil), 404)
	if r.object(t)["detail"] != "Not found." || !strings.HasPrefix(r.header.Get("Content-Type"), "application/json") {
		t.Errorf("second delete: %s", r.body)
	}
	m.mustStatus(m.api("GET", "/api/v1/subnet/"+id+"/", nil), 404)
	if _, ok := m.Subnet(id); ok {
		t.Error("range still stored")
	}
}

func TestGetSubnet(t *testing.T) {
	m := newTestMock(t, Options{})
	id := m.create(map[string]any{"name": "one", "category": 1, "subnets": []string{"10.0.0.0/8"}})
	if got := m.mustStatus(m.api("GET", "/api/v1/subnet/"+id+"/", nil), 200).object(t); got["_id"] != id || got["name"] != "one" {
		t.Errorf("GET = %v", got)
	}
	r := m.mustStatus(m.api("GET", "/api/v1/subnet/0123456789abcdef01234567/", nil), 404)
	if r.object(t)["detail"] != "Not found." {
		t.Errorf("unknown id: %s", r.body)
	}

	off := newTestMock(t, Options{NoSubnetGet: true})
	id = off.create(map[string]any{"name": "one", "category": 1, "subnets": []string{"10.0.0.0/8"}})
	r = off.mustStatus(off.api("GET", "/api/v1/subnet/"+id+"/", nil), 405)
	if r.header.Get("Allow") != "DELETE" {
		t.Errorf("Allow = %q", r.header.Get("Allow"))
	}
	off.mustStatus(off.api("DELETE", "/api/v1/subnet/"+id+"/", nil), 200)
}

func TestBuiltInRangesAreReadOnly(t *testing.T) {
	m := newTestMock(t, Options{})
	az, ok := m.FindSubnetByName("Microsoft Azure")
	if !ok || !az.BuiltIn || az.Category != 5 || az.Tags[0].ID != "0000002a0000000000000000" {
		t.Fatalf("built-in Azure range = %+v", az)
	}
	m.mustStatus(m.api("DELETE", "/api/v1/subnet/"+az.ID+"/", nil), 400)
	m.mustStatus(m.api("POST", "/api/v1/subnet/"+az.ID+"/update_rule/", map[string]any{"_id": az.ID, "name": "x", "category": 5, "subnets": []string{"1.1.1.1"}}), 400)
}

func TestListSubnetsPaging(t *testing.T) {
	for _, n := range []int{0, 1, 100, 101, 250} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			m := newTestMock(t, Options{})
			m.SeedSubnets(n, "")
			custom := map[string]any{"filters": map[string]any{"builtIn": map[string]any{"eq": false}}}

			var seen []string
			pages := 0
			for skip := 0; ; pages++ {
				body := map[string]any{"filters": custom["filters"], "skip": skip, "limit": 100}
				env := m.list(body)
				if env.Total != n || env.Max != 100 || env.MoreThanTotal {
					t.Fatalf("envelope total=%d max=%d moreThanTotal=%v", env.Total, env.Max, env.MoreThanTotal)
				}
				if env.Data == nil {
					t.Fatal("data is null, want []")
				}
				seen = append(seen, names(env)...)
				skip += len(env.Data)
				if env.HasNext != (skip < n) {
					t.Fatalf("hasNext=%v at skip %d of %d", env.HasNext, skip, n)
				}
				if !env.HasNext {
					break
				}
			}
			if len(seen) != n || pages != max(0, (n-1)/100) {
				t.Fatalf("saw %d ranges in %d extra pages", len(seen), pages)
			}
			for i, name := range seen {
				if want := fmt.Sprintf("seeded-range-%04d", i+1); name != want {
					t.Fatalf("item %d = %q, want %q (creation order)", i, name, want)
				}
			}
		})
	}
}

func TestListSubnetsLimits(t *testing.T) {
	m := newTestMock(t, Options{})
	m.SeedSubnets(150, "")
	total := 150 + len(builtInRanges)

	// Unfiltered lists include the built-ins ([U], chosen).
	env := m.list(nil)
	if env.Total != total || len(env.Data) != 100 || !env.HasNext || env.Max != 100 {
		t.Errorf("no body: total=%d len=%d hasNext=%v max=%d", env.Total, len(env.Data), env.HasNext, env.Max)
	}
	// A limit over 100 is clamped silently (MCAS#103).
	env = m.list(map[string]any{"limit": 200})
	if len(env.Data) != 100 || !env.HasNext || env.Max != 100 {
		t.Errorf("limit 200: len=%d hasNext=%v max=%d", len(env.Data), env.HasNext, env.Max)
	}
	env = m.list(map[string]any{"limit": 7, "skip": 150})
	if len(env.Data) != 3 || env.HasNext || env.Max != 7 {
		t.Errorf("limit 7 skip 150: len=%d hasNext=%v max=%d", len(env.Data), env.HasNext, env.Max)
	}
	env = m.list(map[string]any{"skip": 1000})
	if len(env.Data) != 0 || env.HasNext || env.Total != total {
		t.Errorf("skip past the end: %+v", env)
	}
	formErrorsOf(t, m.api("POST", "/api/v1/subnet/", map[string]any{"limit": "many"}), "limit")
	formErrorsOf(t, m.api("POST", "/api/v1/subnet/", map[string]any{"skip": -1}), "skip")

	// GET with a JSON body, and a form body with the filters as a JSON string.
	var got envelope
	m.mustStatus(m.api("GET", "/api/v1/subnet/", map[string]any{"limit": 2}), 200).json(t, &got)
	if len(got.Data) != 2 {
		t.Errorf("GET with body: %d items", len(got.Data))
	}
	m.mustStatus(m.api("POST", "/api/v1/subnet/", url.Values{"limit": {"3"}, "filters": {`{"builtIn":{"eq":true}}`}}), 200).json(t, &got)
	if len(got.Data) != 3 || got.Total != len(builtInRanges) {
		t.Errorf("form body: %d items of %d", len(got.Data), got.Total)
	}
}

func TestListSubnetsSort(t *testing.T) {
	m := newTestMock(t, Options{})
	for i, name := range []string{"b", "C", "a"} {
		m.create(map[string]any{"name": name, "category": 3 - i, "subnets": []string{fmt.Sprintf("10.%d.0.0/16", i)}, "tags": []string{[]string{"y", "x", "z"}[i]}})
	}
	custom := map[string]any{"builtIn": map[string]any{"eq": false}}
	sorted := func(field, dir string) string {
		body := map[string]any{"filters": custom, "sortField": field}
		if dir != "" {
			body["sortDirection"] = dir
		}
		return strings.Join(names(m.list(body)), ",")
	}
	for _, tt := range []struct{ field, dir, want string }{
		{"", "", "b,C,a"}, // creation order
		{"name", "", "C,a,b"},
		{"name", "asc", "C,a,b"},
		{"name", "desc", "b,a,C"},
		{"category", "asc", "a,C,b"},
		{"category", "desc", "b,C,a"},
		{"tags", "asc", "C,b,a"},
	} {
		if got := sorted(tt.field, tt.dir); got != tt.want {
			t.Errorf("sort %s %s = %s, want %s", tt.field, tt.dir, got, tt.want)
		}
	}
	formErrorsOf(t, m.api("POST", "/api/v1/subnet/", map[string]any{"sortField": "lastModified"}), "sortField")
	formErrorsOf(t, m.api("POST", "/api/v1/subnet/", map[string]any{"sortField": "name", "sortDirection": "up"}), "sortDirection")
}

func TestListSubnetsFilters(t *testing.T) {
	m := newTestMock(t, Options{})
	m.create(map[string]any{"name": "vpn", "category": 4, "subnets": []string{"10.0.0.0/8"}, "tags": []string{"Zscaler"}})
	m.create(map[string]any{"name": "corp", "category": 1, "subnets": []string{"11.0.0.0/8"}})
	m.create(map[string]any{"name": "risky", "category": 3, "subnets": []string{"12.0.0.0/8"}, "tags": []string{"000000160000000000000000", "mine"}})

	tests := []struct {
		filters string
		want    string
	}{
		{`{"builtIn":{"eq":false}}`, "vpn,corp,risky"},
		{`{"builtIn":{"eq":[true]}}`, "Microsoft Azure,Amazon Web Services,Tor exit nodes"},
		{`{"category":{"eq":4}}`, "vpn"},
		{`{"category":{"eq":[1,4]}}`, "vpn,corp"},
		{`{"category":{"neq":[5]},"builtIn":{"eq":false}}`, "vpn,corp,risky"},
		{`{"category":{"neq":[5,1]}}`, "Tor exit nodes,vpn,risky"},
		{`{"tags":{"eq":["000000160000000000000000"]}}`, "vpn,risky"},
		{`{"tags":{"eq":"0000002a0000000000000000"}}`, "Microsoft Azure"},
		{`{"tags":{"neq":["000000160000000000000000"]},"builtIn":{"eq":false}}`, "corp"},
		{`{"category":{"eq":3},"tags":{"eq":["2dfa95cd7922d979d66fcff5"]}}`, "Tor exit nodes"},
		{`{}`, "Microsoft Azure,Amazon Web Services,Tor exit nodes,vpn,corp,risky"},
		{`null`, "Microsoft Azure,Amazon Web Services,Tor exit nodes,vpn,corp,risky"},
	}
	for _, tt := range tests {
		env := m.list(fmt.Sprintf(`{"filters":%s}`, tt.filters))
		if got := strings.Join(names(env), ","); got != tt.want {
			t.Errorf("%s: got %s, want %s", tt.filters, got, tt.want)
		}
		if env.Total != len(env.Data) {
			t.Errorf("%s: total %d, %d items", tt.filters, env.Total, len(env.Data))
		}
	}

	bad := []struct{ filters, value string }{
		{`{"name":{"eq":["vpn"]}}`, "name"}, // removed from the docs in 2020
		{`{"category":{"gt":3}}`, "gt"},
		{`{"builtIn":{"neq":true}}`, "neq"},
		{`{"category":{"eq":["four"]}}`, "four"},
		{`{"builtIn":{"eq":"maybe"}}`, "maybe"},
		{`{"category":4}`, "4"},
		{`[1]`, "[1]"},
	}
	for _, tt := range bad {
		errs := formErrorsOf(t, m.api("POST", "/api/v1/subnet/", fmt.Sprintf(`{"filters":%s}`, tt.filters)), "filters")
		if v := errs[0].Params["value"]; v != tt.value {
			t.Errorf("%s: value %q, want %q", tt.filters, v, tt.value)
		}
	}
}

func TestSubnetJSONShape(t *testing.T) {
	m := newTestMock(t, Options{})
	env := m.list(`{"filters":{"builtIn":{"eq":true}},"limit":1}`)
	b, _ := json.Marshal(env.Data[0])
	for _, key := range []string{`"_id"`, `"name"`, `"subnets"`, `"location":null`, `"organization"`, `"tags"`, `"category"`, `"lastModified"`, `"_tid"`, `"nameTemplate"`, `"descriptionTemplate"`} {
		if !strings.Contains(string(b), key) {
			t.Errorf("built-in range JSON lacks %s: %s", key, b)
		}
	}
	if strings.Contains(string(b), "builtIn") {
		t.Errorf("API JSON names builtIn: %s", b)
	}
}

// curl -d sends JSON labelled as a form; the filter must still apply.
func TestListSubnetsJSONLabelledAsForm(t *testing.T) {
	m := newTestMock(t, Options{})
	req, err := http.NewRequestWithContext(t.Context(), "POST", m.http.URL+"/api/v1/subnet/", strings.NewReader(`{"filters":{"builtIn":{"eq":false}}}`))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Token "+testToken)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := m.http.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	var env envelope
	if err := json.NewDecoder(resp.Body).Decode(&env); err != nil || env.Total != 0 {
		t.Errorf("total %d (err %v), want 0 custom ranges", env.Total, err)
	}
}
