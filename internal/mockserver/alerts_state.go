package mockserver

import (
	"fmt"
	"hash/fnv"
	"reflect"
	"slices"
	"strings"
)

// Out-of-band access to alerts, for tests: what the portal, or Microsoft's detections,
// do to a tenant. None of it is counted in Stats or throttled.

// Alerts returns every alert, newest first (the list's default order).
func (s *Server) Alerts() []Alert {
	s.mu.Lock()
	defer s.mu.Unlock()
	items := s.store.alerts.newestFirst()
	out := make([]Alert, len(items))
	for i, a := range items {
		out[i] = s.publicAlert(a)
	}
	return out
}

// Alert returns the alert with this id.
func (s *Server) Alert(id string) (Alert, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.store.alerts.byID[strings.ToLower(id)]
	if a == nil {
		return Alert{}, false
	}
	return s.publicAlert(a), true
}

// EditAlert changes an alert as the portal would. The edit sees the alert as Alert
// returns it, and the served JSON follows whichever side it changes: new Entities
// replace the old ones (and ServiceIDs, IPs and Accounts are read from them); changed
// ServiceIDs, IPs or Accounts replace the entities of that type; a changed PolicyID or
// PolicyLabel updates the policy and its policyRule entity. A changed Resolution with
// ResolveTime left alone clears ResolveTime (reopened) or sets it to now (closed). The
// ID cannot change.
func (s *Server) EditAlert(id string, edit func(*Alert)) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.store.alerts.byID[strings.ToLower(id)]
	if a == nil {
		return fmt.Errorf("editing alert %s: not found", id)
	}
	before := s.publicAlert(a)
	after := s.publicAlert(a)
	edit(&after)
	if after.ID != before.ID {
		return fmt.Errorf("editing alert %s: the id cannot change (to %q)", id, after.ID)
	}

	if !reflect.DeepEqual(before.Entities, after.Entities) {
		a.Entities = cloneEntities(after.Entities)
		if after.PolicyID == before.PolicyID && after.PolicyLabel == before.PolicyLabel {
			if p := findEntity(a.Entities, "policyRule"); p != nil {
				after.PolicyID = fmt.Sprint(p["id"])
				after.PolicyLabel, _ = p["label"].(string)
				if pt, ok := p["policyType"].(string); ok {
					a.policyType = pt
				}
			}
		}
	} else {
		if !slices.Equal(before.ServiceIDs, after.ServiceIDs) {
			a.Entities = replaceEntities(a.Entities, "service", mapSlice(after.ServiceIDs, serviceEntity))
		}
		if !slices.Equal(before.IPs, after.IPs) {
			a.Entities = replaceEntities(a.Entities, "ip", mapSlice(after.IPs, ipEntity))
		}
		if !slices.Equal(before.Accounts, after.Accounts) {
			a.Entities = replaceEntities(a.Entities, "account", accountEntities(after.Accounts, after.ServiceIDs))
		}
	}
	if after.PolicyID != a.PolicyID || after.PolicyLabel != a.PolicyLabel {
		a.PolicyID, a.PolicyLabel = after.PolicyID, after.PolicyLabel
		var rule []map[string]any
		if a.PolicyID != "" {
			rule = []map[string]any{policyEntity(a.PolicyID, a.PolicyLabel, a.policyType)}
		}
		a.Entities = replaceEntities(a.Entities, "policyRule", rule)
	}

	a.Title, a.Description, a.Timestamp = after.Title, after.Description, after.Timestamp
	a.Severity, a.Status, a.Resolution = after.Severity, after.Status, after.Resolution
	a.ResolveTime = nil
	if after.ResolveTime != nil {
		a.ResolveTime = resolveStamp(*after.ResolveTime)
	}
	if after.Resolution != before.Resolution && reflect.DeepEqual(after.ResolveTime, before.ResolveTime) {
		a.ResolveTime = nil
		if after.Resolution != 0 {
			a.ResolveTime = resolveStamp(s.now())
		}
	}
	a.ThreatScore, a.IsSystemAlert, a.Source = after.ThreatScore, after.IsSystemAlert, after.Source
	a.Comment, a.HandledByUser, a.Reason, a.AlertType = after.Comment, after.HandledByUser, clonePtr(after.Reason), after.AlertType
	a.OmitResolution, a.NullStrings = after.OmitResolution, after.NullStrings
	a.URL = ""
	if after.URL != s.defaultAlertURL(a.ID) {
		a.URL = after.URL
	}
	a.index()
	return nil
}

// DeleteAlert removes an alert and reports whether it existed.
func (s *Server) DeleteAlert(id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.store.alerts.remove(strings.ToLower(id))
}

// AddAlert stores an alert, as if a detection had just raised it, and returns it as
// stored. Empty fields get defaults: a new ID, Timestamp now, Title "Test alert", Source
// "policy", a policy named after the title, and a ResolveTime of now when Resolution is
// not open. Without Entities, they are built from Accounts, IPs, ServiceIDs and the
// policy; with Entities, those fields are read from them. An ID that exists already
// replaces that alert.
func (s *Server) AddAlert(in Alert) Alert {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	a := &alert{Alert: in, stories: []int{0}}
	a.ResolveTime, a.Reason = nil, clonePtr(in.Reason)
	if in.ResolveTime != nil {
		a.ResolveTime = resolveStamp(*in.ResolveTime)
	}
	if a.Timestamp == 0 {
		a.Timestamp = now.UnixMilli()
	}
	if a.ID == "" {
		a.ID = s.store.alerts.nextID(a.Timestamp)
	}
	a.ID = strings.ToLower(a.ID)
	if a.Title == "" {
		a.Title = "Test alert"
	}
	if a.Source == "" {
		a.Source = "policy"
	}
	a.policyType = "AUDIT"
	if sourceKey(a.Source) == "builtin" {
		a.policyType = "ANOMALY_DETECTION"
	}
	if a.Resolution != 0 && a.ResolveTime == nil {
		a.ResolveTime = resolveStamp(now)
	}
	if a.URL == s.defaultAlertURL(a.ID) {
		a.URL = ""
	}

	if len(in.Entities) > 0 {
		a.Entities = cloneEntities(in.Entities)
		if p := findEntity(a.Entities, "policyRule"); p != nil && a.PolicyID == "" {
			a.PolicyID = fmt.Sprint(p["id"])
			a.PolicyLabel, _ = p["label"].(string)
		}
	} else {
		if a.PolicyID == "" {
			a.PolicyID = policyIDFor(a.Title)
		}
		a.Entities = append(a.Entities, accountEntities(a.Accounts, a.ServiceIDs)...)
		a.Entities = append(a.Entities, mapSlice(a.IPs, ipEntity)...)
		a.Entities = append(a.Entities, mapSlice(a.ServiceIDs, serviceEntity)...)
	}
	if a.PolicyID != "" && a.PolicyLabel == "" {
		a.PolicyLabel = a.Title
	}
	if a.PolicyID != "" && findEntity(a.Entities, "policyRule") == nil {
		a.Entities = append(a.Entities, policyEntity(a.PolicyID, a.PolicyLabel, a.policyType))
	}
	s.store.alerts.remove(a.ID)
	s.store.alerts.insert(a)
	return s.publicAlert(a)
}

// publicAlert copies an alert for a caller outside the lock.
func (s *Server) publicAlert(a *alert) Alert {
	out := a.Alert
	out.ServiceIDs = slices.Clone(a.ServiceIDs)
	out.IPs = slices.Clone(a.IPs)
	out.Accounts = slices.Clone(a.Accounts)
	out.Entities = cloneEntities(a.Entities)
	out.ResolveTime = clonePtr(a.ResolveTime)
	out.Reason = clonePtr(a.Reason)
	out.URL = s.alertURL(a)
	return out
}

func findEntity(es []map[string]any, typ string) map[string]any {
	for _, e := range es {
		if e["type"] == typ {
			return e
		}
	}
	return nil
}

// replaceEntities swaps the entities of one type for others, where the first of them
// was, so the served order stays stable.
func replaceEntities(es []map[string]any, typ string, with []map[string]any) []map[string]any {
	at := slices.IndexFunc(es, func(e map[string]any) bool { return e["type"] == typ })
	kept := slices.DeleteFunc(slices.Clone(es), func(e map[string]any) bool { return e["type"] == typ })
	if at < 0 {
		// New types go before the policy rule, which closes the list in served alerts.
		at = slices.IndexFunc(kept, func(e map[string]any) bool { return e["type"] == "policyRule" })
		if at < 0 {
			at = len(kept)
		}
	}
	at = min(at, len(kept))
	return slices.Insert(kept, at, with...)
}

func mapSlice[T any](xs []T, f func(T) map[string]any) []map[string]any {
	out := make([]map[string]any, 0, len(xs))
	for _, x := range xs {
		out = append(out, f(x))
	}
	return out
}

// accountEntities builds the account entities of an alert from UPNs, in the alert's
// first app.
func accountEntities(upns []string, serviceIDs []int) []map[string]any {
	saas := 0
	if len(serviceIDs) > 0 {
		saas = serviceIDs[0]
	}
	return mapSlice(upns, func(upn string) map[string]any { return accountEntity(accountLabel(upn), upn, saas) })
}

// accountLabel is a known user's display name, else the UPN's local part.
func accountLabel(upn string) string {
	for _, u := range seedUsers {
		if strings.EqualFold(u.upn, upn) {
			return u.name
		}
	}
	local, _, _ := strings.Cut(upn, "@")
	return local
}

// policyIDFor gives alerts added with the same title the same policy.
func policyIDFor(title string) string {
	h := fnv.New64a()
	_, _ = h.Write([]byte(title))
	return fmt.Sprintf("%016x%08x", splitmix(h.Sum64()), uint32(h.Sum64()))
}

// clonePtr copies what p points to, so the copy shares nothing with the store.
func clonePtr[T any](p *T) *T {
	if p == nil {
		return nil
	}
	c := *p
	return &c
}
