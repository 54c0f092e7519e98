package mockserver

import (
	"cmp"
	"encoding/json"
	"fmt"
	"net/http"
	"net/netip"
	"strings"
	"time"
)

// Subnet is an IP range ("data enrichment" subnet rule). Its JSON is the admin view: the
// API's object plus builtIn, which the API itself never sends (see wireSubnet).
type Subnet struct {
	ID           string       `json:"_id"`
	Name         string       `json:"name"`
	Subnets      []SubnetCIDR `json:"subnets"`
	Location     *Location    `json:"location"`
	Organization *string      `json:"organization"`
	Tags         []Tag        `json:"tags"`
	Category     int          `json:"category"`
	LastModified float64      `json:"lastModified"`
	TenantID     int          `json:"_tid"`
	BuiltIn      bool         `json:"builtIn"`
}

// SetSubnets replaces the range's CIDRs for EditSubnet, which derives Mask and Address
// from each OriginalString.
func (s *Subnet) SetSubnets(cidrs ...string) {
	s.Subnets = make([]SubnetCIDR, len(cidrs))
	for i, c := range cidrs {
		s.Subnets[i] = SubnetCIDR{OriginalString: c}
	}
}

// Tag is a tag as the API returns it inside a range. Built-in tags (Type 2) carry
// templates, a description and visibility; custom ones (Type 0) do not.
type Tag struct {
	DBID                string    `json:"_id"`
	ID                  string    `json:"id"`
	Target              int       `json:"target"` // 1: an IP tag
	Type                int       `json:"type"`
	Name                string    `json:"name"`
	NameTemplate        *Template `json:"nameTemplate,omitempty"`
	Description         string    `json:"description,omitempty"`
	DescriptionTemplate *Template `json:"descriptionTemplate,omitempty"`
	Visibility          *int      `json:"visibility,omitempty"`
	Status              int       `json:"status"`
	TenantID            int       `json:"_tid"`
}

// Template names a localised string of a built-in tag.
type Template struct {
	Template string `json:"template"`
}

// wireSubnet is a range as the API sends it. Whether the real API marks built-in ranges
// is unknown ([U]), so the mock does not: a client learns built-in-ness only from the
// builtIn filter.
type wireSubnet struct {
	ID           string       `json:"_id"`
	Name         string       `json:"name"`
	Subnets      []SubnetCIDR `json:"subnets"`
	Location     *Location    `json:"location"`
	Organization *string      `json:"organization"`
	Tags         []Tag        `json:"tags"`
	Category     int          `json:"category"`
	LastModified float64      `json:"lastModified"`
	TenantID     int          `json:"_tid"`
}

func toWire(s Subnet) wireSubnet {
	return wireSubnet{
		ID: s.ID, Name: s.Name, Subnets: s.Subnets, Location: s.Location, Organization: s.Organization,
		Tags: s.Tags, Category: s.Category, LastModified: s.LastModified, TenantID: s.TenantID,
	}
}

// subnetCollection declares the documented subnet filters (mda-api.md 2.1). The removed
// "name" filter is left out on purpose ([U] whether it still works): a client that relies
// on it gets a 400 here. It is built per request because the tags sort reads tag names.
func subnetCollection(st *store) *collection[*subnet] {
	return newCollection("subnets", map[string]field[*subnet]{
		"category": {typ: intField, ops: []string{"eq", "neq"}, values: func(s *subnet) []any { return []any{s.category} }},
		"tags":     {typ: stringField, ops: []string{"eq", "neq"}, values: func(s *subnet) []any { return anys(s.tagIDs) }},
		"builtIn":  {typ: boolField, ops: []string{"eq"}, values: func(s *subnet) []any { return []any{s.builtIn} }},
	}, map[string]func(a, b *subnet) int{
		// Byte order, as MongoDB sorts strings by default ([U] whether the API folds case).
		"name":     func(a, b *subnet) int { return strings.Compare(a.name, b.name) },
		"category": func(a, b *subnet) int { return cmp.Compare(a.category, b.category) },
		// By the tag names joined, an arbitrary but stable reading of "sort by tags" ([U]).
		"tags": func(a, b *subnet) int { return strings.Compare(st.tagNames(a), st.tagNames(b)) },
	})
}

func (st *store) tagNames(s *subnet) string {
	names := make([]string, 0, len(s.tagIDs))
	for _, id := range s.tagIDs {
		if t := st.tagByID(id); t != nil {
			names = append(names, strings.ToLower(t.name))
		}
	}
	return strings.Join(names, ",")
}

// listSubnets serves GET and POST /api/v1/subnet/. The unfiltered list includes the
// built-in ranges ([U]; the builtIn filter suggests it does).
func (s *Server) listSubnets(w http.ResponseWriter, req *apiRequest) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.store
	runList(s, w, req, subnetCollection(st), st.subnets, func(sn *subnet) any { return toWire(st.render(sn)) })
}

// getSubnet serves the undocumented fetch of one range: the range, or a JSON 404 for an
// unknown id (the DRF-style detail of every other not-found).
func (s *Server) getSubnet(w http.ResponseWriter, req *apiRequest) {
	if s.opts.NoSubnetGet {
		w.Header().Set("Allow", http.MethodDelete)
		writeDetail(w, http.StatusMethodNotAllowed, `Method "GET" not allowed.`)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	sn := s.store.byID[req.id]
	if sn == nil {
		writeNotFound(w)
		return
	}
	writeJSON(w, http.StatusOK, toWire(s.store.render(sn)))
}

// createSubnet answers 200 with the new id as a JSON string literal ("Returns the id of
// the new range as a string", mda-api.md 2.2).
func (s *Server) createSubnet(w http.ResponseWriter, req *apiRequest) {
	fields, ok := req.fields(w)
	if !ok {
		return
	}
	in, fe := decodeSubnetInput(fields)
	s.mu.Lock()
	defer s.mu.Unlock()
	var sn *subnet
	if fe == nil {
		sn, fe = s.createSubnetLocked(in)
	}
	if fe != nil {
		fe.write(w)
		return
	}
	writeJSON(w, http.StatusOK, sn.id)
}

// createSubnetLocked is what create_rule does once the body is valid, for the route and
// for AddSubnet alike: check the input against the other ranges, then store it. s.mu must
// be held.
func (s *Server) createSubnetLocked(in subnetInput) (*subnet, formErrors) {
	if fe := s.store.conflicts(in, "", "", s.opts.RejectOverlap); fe != nil {
		return nil, fe
	}
	sn := &subnet{id: s.store.newObjectID()}
	s.store.apply(sn, in, s.now())
	s.store.insert(sn)
	return sn, nil
}

// updateSubnet is a full replace (mda-api.md 2.3): what the body leaves out is cleared.
// The response body is unknown ([U]); the mock returns the updated range.
func (s *Server) updateSubnet(w http.ResponseWriter, req *apiRequest) {
	fields, ok := req.fields(w)
	if !ok {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	sn, ok := s.customSubnetForPath(w, req)
	if !ok {
		return
	}
	in, fe := decodeSubnetInput(fields)
	if in.hasID && in.id != req.id {
		fe.add("_id", fmt.Sprintf("%s does not match the range being updated", in.id), in.id)
	}
	if fe == nil {
		// Without _id the real server seems to count the range itself when checking the
		// name (SECOPS renames twice to dodge it, [I]); RequireIDOnUpdate emulates that.
		nameSelf := req.id
		if !in.hasID && s.opts.RequireIDOnUpdate {
			nameSelf = ""
		}
		fe = s.store.conflicts(in, nameSelf, req.id, s.opts.RejectOverlap)
	}
	if fe != nil {
		fe.write(w)
		return
	}
	s.store.apply(sn, in, s.now())
	writeJSON(w, http.StatusOK, toWire(s.store.render(sn)))
}

// deleteSubnet answers 200 {} ([U]: the response is undocumented) and 404 for an unknown
// or already deleted id ([I]).
func (s *Server) deleteSubnet(w http.ResponseWriter, req *apiRequest) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.customSubnetForPath(w, req); !ok {
		return
	}
	s.store.remove(req.id)
	writeJSON(w, http.StatusOK, struct{}{})
}

// customSubnetForPath finds the range an update or delete names. An unknown id is a 404
// ([I]). A built-in range is refused, since the portal offers no way to edit Microsoft's
// ranges; the real status and body are unknown ([U]). s.mu must be held.
func (s *Server) customSubnetForPath(w http.ResponseWriter, req *apiRequest) (*subnet, bool) {
	sn := s.store.byID[req.id]
	if sn == nil {
		writeNotFound(w)
		return nil, false
	}
	if sn.builtIn {
		writeDetail(w, http.StatusBadRequest, "Built-in IP ranges cannot be modified.")
		return nil, false
	}
	return sn, true
}

// subnetInput is a validated create_rule or update_rule body.
type subnetInput struct {
	hasID    bool
	id       string
	name     string
	category int
	cidrs    []SubnetCIDR
	prefixes []netip.Prefix
	org      *string
	tags     []string
}

const requiredMessage = "This field is required."

// decodeSubnetInput validates a body field by field and reports every problem at once,
// as a forms error keyed by field. "overrideOrganization", "overrideLocation" and
// "location" are accepted and ignored (mda-api.md 2.2, [I]).
func decodeSubnetInput(fields map[string]json.RawMessage) (subnetInput, formErrors) {
	var in subnetInput
	var fe formErrors

	if raw, ok := fields["_id"]; ok && !isNull(raw) {
		if json.Unmarshal(raw, &in.id) != nil {
			fe.invalid("_id", raw)
		}
		in.hasID = true
	}

	switch raw := fields["name"]; {
	case isNull(raw):
		fe.add("name", requiredMessage, "")
	case json.Unmarshal(raw, &in.name) != nil:
		fe.invalid("name", raw)
	case strings.TrimSpace(in.name) == "":
		fe.add("name", requiredMessage, in.name)
	}

	switch raw := fields["category"]; {
	case isNull(raw):
		fe.add("category", requiredMessage, "")
	default:
		// Categories 1..6 (mda-api.md 2.1); MCASPS's None = 0 is not accepted on input.
		// A JSON number only: a numeric string would be a client bug worth seeing.
		var n json.Number
		i, err := int64(0), json.Unmarshal(raw, &n)
		if err == nil && strings.HasPrefix(strings.TrimSpace(string(raw)), `"`) {
			err = fmt.Errorf("category is a string")
		}
		if err == nil {
			i, err = n.Int64()
		}
		if err != nil || i < 1 || i > 6 {
			fe.add("category", fmt.Sprintf("%s is not a valid category", operandText(raw)), operandText(raw))
		}
		in.category = int(i)
	}

	var cidrs []json.RawMessage
	switch raw := fields["subnets"]; {
	case isNull(raw):
		fe.add("subnets", requiredMessage, "")
	case json.Unmarshal(raw, &cidrs) != nil:
		fe.invalid("subnets", raw)
	case len(cidrs) == 0:
		// "At least one IP should always be a part of it" (SECOPS): empty is refused ([I]).
		fe.add("subnets", "At least one IP address or range is required.", "[]")
	}
	for _, el := range cidrs {
		var str string
		if json.Unmarshal(el, &str) != nil {
			fe.invalid("subnets", el)
			continue
		}
		c, p, err := normalizeSubnet(str)
		if err != nil {
			fe.add("subnets", err.Error(), str)
			continue
		}
		in.cidrs = append(in.cidrs, c)
		in.prefixes = append(in.prefixes, p)
	}

	if raw := fields["organization"]; !isNull(raw) {
		var org string
		if json.Unmarshal(raw, &org) != nil {
			fe.invalid("organization", raw)
		} else if org != "" {
			// An empty organization is stored as null, the API's "no override" ([I]).
			in.org = &org
		}
	}

	if raw := fields["tags"]; !isNull(raw) {
		var tags []json.RawMessage
		if json.Unmarshal(raw, &tags) != nil {
			fe.invalid("tags", raw)
		}
		for _, el := range tags {
			var t string
			if json.Unmarshal(el, &t) != nil || strings.TrimSpace(t) == "" {
				fe.add("tags", fmt.Sprintf("%s is not a valid tag", operandText(el)), operandText(el))
				continue
			}
			in.tags = append(in.tags, t)
		}
	}
	return in, fe
}

// conflicts checks what depends on other ranges. nameSelf is the id whose own name does
// not count as a duplicate ("" for none); overlapSelf likewise for overlaps. Names are
// unique ("The unique name of the range"), compared exactly ([U] whether case folds),
// against built-in ranges too.
func (st *store) conflicts(in subnetInput, nameSelf, overlapSelf string, rejectOverlap bool) formErrors {
	var fe formErrors
	if other := st.subnetByName(in.name); other != nil && other.id != nameSelf {
		fe.add("name", "A range with this name already exists.", in.name)
	}
	if !rejectOverlap {
		return fe
	}
	for _, other := range st.subnets {
		if other.id == overlapSelf || other.builtIn {
			continue
		}
		for i, p := range in.prefixes {
			for _, oc := range other.cidrs {
				if op, ok := cidrPrefix(oc); ok && p.Overlaps(op) {
					fe.add("subnets", fmt.Sprintf("%s overlaps %s in range %q", in.cidrs[i].OriginalString, oc.OriginalString, other.name), in.cidrs[i].OriginalString)
				}
			}
		}
	}
	return fe
}

// apply writes a validated input onto a range, replacing every field.
func (st *store) apply(sn *subnet, in subnetInput, now time.Time) {
	sn.name = in.name
	sn.category = in.category
	sn.cidrs = in.cidrs
	sn.organization = in.org
	sn.tagIDs = st.resolveTags(in.tags)
	sn.lastModified = lastModified(now)
}
