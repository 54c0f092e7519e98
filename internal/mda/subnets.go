package mda

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// IP range categories (the API's numbers).
const (
	CategoryCorporate      = 1
	CategoryAdministrative = 2
	CategoryRisky          = 3
	CategoryVPN            = 4
	CategoryCloudProvider  = 5
	CategoryOther          = 6
)

const (
	permSubnetRead  = "Settings.read or Investigation.read"
	permSubnetWrite = "Settings.manage or Investigation.manage"
)

// Subnet is an IP range ("data enrichment" subnet rule) as MDA returns it.
type Subnet struct {
	ID       string       `json:"_id"`
	Name     string       `json:"name"`
	Category int          `json:"category"`
	Subnets  []SubnetCIDR `json:"subnets"`
	// Organization is the registered-ISP override; "" when MDA sends null.
	Organization string      `json:"organization"`
	Tags         []SubnetTag `json:"tags"`
	// Location is the location override; nil when MDA sends null.
	Location *Location `json:"location"`
	// LastModified is in Unix milliseconds (MDA sends a float).
	LastModified float64 `json:"lastModified"`

	// BuiltIn is not in MDA's object: the client sets it from the builtIn filter of the
	// listing that returned the range (false when the listing had no such filter).
	BuiltIn bool `json:"-"`
	// Raw is the object's JSON exactly as MDA sent it; nil for a range that the
	// run-scoped listing holds because this client wrote it.
	Raw json.RawMessage `json:"-"`
}

func (s *Subnet) setRawJSON(raw json.RawMessage) { s.Raw = raw }

// SubnetCIDR is one address block of a range. MDA normalises Address and Mask to the
// IPv6 scale (10.0.0.0/8 is mask 104); OriginalString is exactly what was sent, and is
// what a configuration should be compared with.
type SubnetCIDR struct {
	Mask           int    `json:"mask"`
	Address        string `json:"address"`
	OriginalString string `json:"originalString"`
}

// SubnetTag is a tag on a range. Tags are sent as strings (names or ids) and come back
// as objects.
type SubnetTag struct {
	DBID string `json:"_id"`
	// ID is the stable tag id used in filters, e.g. "000000290000000000000000".
	ID   string `json:"id"`
	Name string `json:"name"`
	// Type is 2 for a built-in tag, 0 for a custom one.
	Type int `json:"type"`
	// Target is 1 for IP tags.
	Target int `json:"target"`
}

// Location is a range's location override.
type Location struct {
	Name        string  `json:"name"`
	Latitude    float64 `json:"latitude"`
	Longitude   float64 `json:"longitude"`
	CountryCode string  `json:"countryCode"`
	CountryName string  `json:"countryName"`
}

// SubnetInput is the whole body of create_rule and update_rule. update_rule replaces the
// range: an empty Organization or Tags clears it.
type SubnetInput struct {
	ID           string   `json:"_id,omitempty"`
	Name         string   `json:"name"`
	Category     int      `json:"category"`
	Subnets      []string `json:"subnets"`
	Organization string   `json:"organization,omitempty"`
	// Tags are tag names or ids; an unknown name creates a custom tag.
	Tags []string `json:"tags,omitempty"`
}

// SubnetQuery selects IP ranges. Zero values select everything.
type SubnetQuery struct {
	Categories []int
	// TagIDs are tag ids (SubnetTag.ID), not names.
	TagIDs []string
	// BuiltIn, when set, lists only built-in (true) or only custom (false) ranges.
	BuiltIn       *bool
	SortField     string // "category", "tags" or "name"
	SortDirection string // "asc" or "desc"
	// Max caps the number of ranges returned; 0 returns all of them.
	Max int
}

// ListSubnets lists IP ranges, 100 per request.
func (c *Client) ListSubnets(ctx context.Context, q SubnetQuery) (ListResult[Subnet], error) {
	var f Filters
	if len(q.Categories) > 0 {
		f = f.With("category", OpEq, q.Categories)
	}
	if len(q.TagIDs) > 0 {
		f = f.With("tags", OpEq, q.TagIDs)
	}
	if q.BuiltIn != nil {
		f = f.With("builtIn", OpEq, *q.BuiltIn)
	}
	op := newOperation("list IP ranges", http.MethodPost, "/v1/subnet/", permSubnetRead, classList)
	res, err := listAll[Subnet](ctx, c, op, ListRequest{Filters: f, SortField: q.SortField, SortDirection: q.SortDirection}, q.Max)
	if err != nil {
		return res, err
	}
	if q.BuiltIn != nil {
		for i := range res.Items {
			res.Items[i].BuiltIn = *q.BuiltIn
		}
	}
	return res, nil
}

// getSubnet reads one range with the undocumented GET /api/v1/subnet/<id>/. Its JSON 404
// is evidence that the range is gone (IsNotFound). A tenant may not serve the route at
// all (a 405, or the portal's HTML 404, see APIError.RouteNotServed): callers then rely
// on the listing. It also serves built-in ranges.
func (c *Client) getSubnet(ctx context.Context, id string) (*Subnet, error) {
	if err := checkID(id); err != nil {
		return nil, err
	}
	op := newOperation("read IP range", http.MethodGet, "/v1/subnet/{id}/", permSubnetRead, classRead, id)
	var raw json.RawMessage
	if err := c.do(ctx, op, nil, &raw); err != nil {
		return nil, err
	}
	var s Subnet
	if err := decodeKeepingRaw(raw, &s); err != nil {
		return nil, fmt.Errorf("%s: decoding the range: %w", op.name, err)
	}
	return &s, nil
}

// CreateSubnet creates a range and returns its id. An *AmbiguousError means the range may
// or may not exist now: look it up by name (FindSubnetByName) before creating it again.
func (c *Client) CreateSubnet(ctx context.Context, in SubnetInput) (string, error) {
	in.ID = ""
	in.Subnets = nonNil(in.Subnets)
	op := newOperation("create IP range", http.MethodPost, "/v1/subnet/create_rule/", permSubnetWrite, classWrite)
	var raw json.RawMessage
	err := c.do(ctx, op, in, &raw)
	if err == nil {
		var id string
		if id, err = createdID(raw); err != nil {
			err = &AmbiguousError{Operation: op.name, Err: err}
		} else {
			c.subnets.put(subnetFromInput(id, in, c.knownSubnetTags()))
			return id, nil
		}
	}
	if IsAmbiguous(err) {
		c.subnets.invalidate()
	}
	return "", err
}

// createdID reads create_rule's answer: a JSON string holding the id. An object with an
// _id is accepted too, in case MDA ever returns the range.
func createdID(raw json.RawMessage) (string, error) {
	var id string
	if json.Unmarshal(raw, &id) == nil && id != "" {
		return id, nil
	}
	var obj struct {
		ID string `json:"_id"`
	}
	if json.Unmarshal(raw, &obj) == nil && obj.ID != "" {
		return obj.ID, nil
	}
	return "", fmt.Errorf("MDA accepted the range but its answer holds no id: %s", truncate(string(raw), 100))
}

// UpdateSubnet replaces range id with in. The body always carries "_id": update_rule is a
// full replace, and without _id MDA's unique-name check counts the range itself, so an
// update that keeps the name would be refused as a duplicate.
func (c *Client) UpdateSubnet(ctx context.Context, id string, in SubnetInput) error {
	if err := checkID(id); err != nil {
		return err
	}
	in.ID = id
	in.Subnets = nonNil(in.Subnets)
	op := newOperation("update IP range", http.MethodPost, "/v1/subnet/{id}/update_rule/", permSubnetWrite, classIdempotentWrite, id)
	err := c.do(ctx, op, in, nil)
	switch {
	case err == nil:
		c.subnets.put(subnetFromInput(id, in, c.knownSubnetTags()))
	case IsNotFound(err):
		c.subnets.remove(id)
	case IsAmbiguous(err):
		c.subnets.invalidate()
	}
	return err
}

// DeleteSubnet deletes range id. A range that does not exist gives an *APIError with
// IsNotFound, which callers that only want it gone treat as success. Only MDA's JSON 404
// from the range's own route counts: an HTML 404 (a wrong portal URL) or "tenant not
// found" (a wrong regional host) deleted nothing, and is an error like any other.
func (c *Client) DeleteSubnet(ctx context.Context, id string) error {
	if err := checkID(id); err != nil {
		return err
	}
	op := newOperation("delete IP range", http.MethodDelete, "/v1/subnet/{id}/", permSubnetWrite, classIdempotentWrite, id)
	err := c.do(ctx, op, nil, nil)
	switch {
	case err == nil, IsNotFound(err):
		c.subnets.remove(id)
	case IsAmbiguous(err):
		c.subnets.invalidate()
	}
	return err
}

func checkID(id string) error {
	if strings.TrimSpace(id) == "" {
		return errors.New("the IP range id is empty")
	}
	return nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// subnetFromInput is what the run-scoped listing records for a range this client wrote:
// what was sent, which is what a configuration is compared with. MDA's normalised
// address and mask are not known until the next listing. Tags are sent as names or ids:
// each is matched to a tag object the listings already hold (known, by id and by name),
// so that a tag sent by id keeps its name; one no listing holds is recorded by id when it
// has the shape of one (24 hexadecimal characters), otherwise by name (a new tag).
func subnetFromInput(id string, in SubnetInput, known map[string]SubnetTag) Subnet {
	s := Subnet{ID: id, Name: in.Name, Category: in.Category, Organization: in.Organization}
	for _, cidr := range in.Subnets {
		s.Subnets = append(s.Subnets, SubnetCIDR{OriginalString: cidr})
	}
	for _, t := range in.Tags {
		switch tag, ok := known[t]; {
		case ok:
			s.Tags = append(s.Tags, tag)
		case looksLikeTagID(t):
			s.Tags = append(s.Tags, SubnetTag{ID: t, Target: 1})
		default:
			s.Tags = append(s.Tags, SubnetTag{Name: t, Target: 1})
		}
	}
	return s
}

// knownSubnetTags indexes by id and by name the tag objects of every range the run's
// listings hold, custom and built-in. Ids win over names on a clash: ids are unique.
func (c *Client) knownSubnetTags() map[string]SubnetTag {
	known := map[string]SubnetTag{}
	var byID []SubnetTag
	for _, sc := range []*subnetCache{&c.subnets, &c.builtInSubnets} {
		sc.mu.Lock()
		for _, r := range sc.byID {
			for _, t := range r.Tags {
				if t.ID != "" && t.Name != "" {
					byID = append(byID, t)
				}
			}
		}
		sc.mu.Unlock()
	}
	for _, t := range byID {
		known[t.Name] = t
	}
	for _, t := range byID {
		known[t.ID] = t
	}
	return known
}

func looksLikeTagID(s string) bool {
	if len(s) != 24 {
		return false
	}
	for _, r := range s {
		if !strings.ContainsRune("0123456789abcdefABCDEF", r) {
			return false
		}
	}
	return true
}
