package mockserver

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
)

// Out-of-band access to the tenant, for tests: changes "made in the portal". None of it is
// counted in Stats or throttled.

// Subnets returns every range, built-in ones included, in creation order.
func (s *Server) Subnets() []Subnet {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Subnet, 0, len(s.store.subnets))
	for _, sn := range s.store.subnets {
		out = append(out, s.store.render(sn))
	}
	return out
}

// Subnet returns the range with this id.
func (s *Server) Subnet(id string) (Subnet, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sn := s.store.byID[id]
	if sn == nil {
		return Subnet{}, false
	}
	return s.store.render(sn), true
}

// FindSubnetByName returns the range with exactly this name.
func (s *Server) FindSubnetByName(name string) (Subnet, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sn := s.store.subnetByName(name)
	if sn == nil {
		return Subnet{}, false
	}
	return s.store.render(sn), true
}

// AddSubnet creates a custom range with the API's validation (and its normalisation,
// tag resolution and duplicate-name check), as if through create_rule.
func (s *Server) AddSubnet(name string, category int, cidrs []string, tags ...string) (Subnet, error) {
	body := map[string]any{"name": name, "category": category, "subnets": cidrs}
	if len(tags) > 0 {
		body["tags"] = tags
	}
	fields, err := toFields(body)
	if err != nil {
		return Subnet{}, err
	}
	in, fe := decodeSubnetInput(fields)
	s.mu.Lock()
	defer s.mu.Unlock()
	var sn *subnet
	if fe == nil {
		sn, fe = s.createSubnetLocked(in)
	}
	if fe != nil {
		return Subnet{}, fmt.Errorf("adding range %q: %w", name, fe)
	}
	return s.store.render(sn), nil
}

// EditSubnet changes a range out of band, as an admin in the portal would. The edit sees
// the range as Subnets returns it. Afterwards Mask and Address are derived again from
// each OriginalString (use Subnet.SetSubnets), tags are resolved by ID, then by Name, else
// created, and LastModified is bumped unless the edit set it. Names are not checked for
// uniqueness, so a test can build states the API would refuse. The ID cannot change.
func (s *Server) EditSubnet(id string, edit func(*Subnet)) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	sn := s.store.byID[id]
	if sn == nil {
		return fmt.Errorf("editing range %s: not found", id)
	}
	before := s.store.render(sn)
	after := s.store.render(sn)
	edit(&after)

	cidrs := make([]SubnetCIDR, 0, len(after.Subnets))
	for _, c := range after.Subnets {
		n, _, err := normalizeSubnet(c.OriginalString)
		if err != nil {
			return fmt.Errorf("editing range %s: %w", id, err)
		}
		cidrs = append(cidrs, n)
	}
	var tagIDs []string
	for _, t := range after.Tags {
		ref := t.ID
		if ref == "" || s.store.tagByID(ref) == nil {
			ref = t.Name
		}
		if ref == "" {
			return errors.New("editing range " + id + ": a tag needs an ID or a Name")
		}
		if tid := s.store.resolveTag(ref).id; !slices.Contains(tagIDs, tid) {
			tagIDs = append(tagIDs, tid)
		}
	}

	sn.name = after.Name
	sn.category = after.Category
	sn.cidrs = cidrs
	sn.organization = after.Organization
	sn.location = after.Location
	sn.tagIDs = tagIDs
	sn.builtIn = after.BuiltIn
	sn.lastModified = after.LastModified
	if after.LastModified == before.LastModified {
		sn.lastModified = lastModified(s.now())
	}
	return nil
}

// DeleteSubnet removes a range, built-in or not, and reports whether it existed.
func (s *Server) DeleteSubnet(id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.store.remove(id)
}

// SeedSubnets adds n custom ranges named prefix+"0001", prefix+"0002", ... (default
// prefix "seeded-range-") with distinct /24s in 10.0.0.0/8. The same seed and the same
// calls give the same ranges, ids included.
func (s *Server) SeedSubnets(n int, prefix string) []Subnet {
	s.mu.Lock()
	defer s.mu.Unlock()
	created := s.store.seedCustom(n, prefix, s.now())
	out := make([]Subnet, len(created))
	for i, sn := range created {
		out[i] = s.store.render(sn)
	}
	return out
}

// Tags returns every IP tag the tenant knows: the built-ins and the custom tags created
// so far.
func (s *Server) Tags() []Tag {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Tag, 0, len(s.store.tags))
	for _, t := range s.store.tags {
		out = append(out, s.store.renderTag(t))
	}
	return out
}

func toFields(body map[string]any) (map[string]json.RawMessage, error) {
	b, err := json.Marshal(body)
	if err != nil {
		return nil, err
	}
	var fields map[string]json.RawMessage
	return fields, json.Unmarshal(b, &fields)
}
