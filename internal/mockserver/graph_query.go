package mockserver

import (
	"cmp"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// OData query options of the Graph Cloud Discovery lists: $top, $skip, $filter and
// $select. $filter is the subset the provider sends (graph-discovery.md 3.2, the issue's
// contract): clauses "<property> <op> <literal>" joined by "and", op one of eq ne gt ge
// lt le, numbers bare and strings single-quoted. Anything else is a 400, so a client that
// drifts from the subset learns it here rather than from a tenant.

type filterKind int

const (
	filterNumber filterKind = iota + 1
	filterString
)

// Filterable properties, by wire name.
var (
	graphAppFilters = map[string]filterKind{
		"riskScore": filterNumber, "userCount": filterNumber, "ipAddressCount": filterNumber,
		"transactionCount": filterNumber, "category": filterString, "displayName": filterString,
	}
)

// graphAppProperties are the properties $select may name on an app.
var graphAppProperties = []string{
	"id", "displayName", "category", "riskScore", "tags", "domains", "userCount", "ipAddressCount",
	"transactionCount", "uploadNetworkTrafficInBytes", "downloadNetworkTrafficInBytes", "lastSeenDateTime", "deviceCount",
}

type filterClause struct {
	prop string
	op   string
	kind filterKind
	num  int64
	str  string
}

// graphQuery is a request's query options. The raw strings are what a nextLink repeats.
type graphQuery struct {
	top, skip                    int
	rawTop, rawFilter, rawSelect string
	clauses                      []filterClause
	selects                      []string
}

func badRequest(format string, args ...any) *graphError {
	return &graphError{http.StatusBadRequest, "BadRequest", fmt.Sprintf(format, args...)}
}

// parseGraphQuery reads the options a list (filters non-nil) or a single entity
// (filters nil: $select only) accepts.
func parseGraphQuery(r *http.Request, filters map[string]filterKind, selectable []string) (graphQuery, *graphError) {
	q := graphQuery{top: graphPageSize}
	values, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return q, badRequest("The query string is malformed: %v.", err)
	}
	for key, vs := range values {
		if !strings.HasPrefix(key, "$") {
			continue // not an OData option: Graph ignores those
		}
		if len(vs) > 1 {
			return q, badRequest("Query option '%s' was specified more than once, but it must be specified at most once.", key)
		}
		v := vs[0]
		switch opt := strings.ToLower(key); {
		case opt == "$select":
			q.rawSelect = v
			for _, name := range strings.Split(v, ",") {
				name = strings.TrimSpace(name)
				i := slices.IndexFunc(selectable, func(p string) bool { return strings.EqualFold(p, name) })
				if i < 0 {
					return q, badRequest("Could not find a property named '%s' to select.", name)
				}
				q.selects = append(q.selects, selectable[i])
			}
		case opt == "$top" && filters != nil:
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 {
				return q, badRequest("Invalid value '%s' for $top: want a whole number from 1 to %d.", v, graphPageSize)
			}
			// Pages are fixed at 100: a larger $top still gets 100 and a nextLink.
			q.top, q.rawTop = min(n, graphPageSize), v
		case opt == "$skip" && filters != nil:
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 {
				return q, badRequest("Invalid value '%s' for $skip: want a whole number, 0 or more.", v)
			}
			q.skip = n
		case opt == "$filter" && filters != nil:
			q.rawFilter = v
			var problem string
			if q.clauses, problem = parseGraphFilter(v, filters); problem != "" {
				return q, badRequest("%s", problem)
			}
		default:
			return q, badRequest("Query option '%s' is not supported by this API.", key)
		}
	}
	return q, nil
}

// parseGraphFilter parses the supported $filter subset, or says which clause it cannot
// read. A blank filter selects everything.
func parseGraphFilter(expr string, filters map[string]filterKind) ([]filterClause, string) {
	toks, problem := filterTokens(expr)
	if problem != "" {
		return nil, problem
	}
	var out []filterClause
	for i := 0; i < len(toks); {
		start := toks[i].pos
		invalid := func() string {
			return "Invalid filter clause: " + strings.TrimSpace(expr[start:])
		}
		if i+3 > len(toks) {
			return nil, invalid()
		}
		name, op, lit := toks[i], toks[i+1], toks[i+2]
		c := filterClause{op: strings.ToLower(op.text)}
		for p, kind := range filters {
			if !name.quoted && strings.EqualFold(name.text, p) {
				c.prop, c.kind = p, kind
			}
		}
		if c.prop == "" || op.quoted || !slices.Contains([]string{"eq", "ne", "gt", "ge", "lt", "le"}, c.op) {
			return nil, invalid()
		}
		switch {
		case c.kind == filterString && lit.quoted:
			c.str = lit.text
		case c.kind == filterNumber && !lit.quoted:
			n, err := strconv.ParseInt(lit.text, 10, 64)
			if err != nil {
				return nil, invalid()
			}
			c.num = n
		default:
			return nil, invalid()
		}
		out = append(out, c)
		i += 3
		if i == len(toks) {
			break
		}
		if toks[i].quoted || !strings.EqualFold(toks[i].text, "and") || i+1 == len(toks) {
			start = toks[i].pos
			return nil, invalid()
		}
		i++
	}
	return out, ""
}

type filterToken struct {
	text   string
	quoted bool // a string literal, '' unescaped
	pos    int  // offset in the expression, for error messages
}

// filterTokens splits on spaces, reading 'quoted strings' (with ” for a quote) as one
// token. Parentheses and commas stay inside words, so functions fail as clauses.
func filterTokens(expr string) ([]filterToken, string) {
	var toks []filterToken
	for i := 0; i < len(expr); {
		switch expr[i] {
		case ' ':
			i++
		case '\'':
			start := i
			var b strings.Builder
			i++
			for {
				if i >= len(expr) {
					return nil, "Invalid filter clause: unterminated string literal " + expr[start:]
				}
				if expr[i] == '\'' {
					if i+1 < len(expr) && expr[i+1] == '\'' {
						b.WriteByte('\'')
						i += 2
						continue
					}
					i++
					break
				}
				b.WriteByte(expr[i])
				i++
			}
			toks = append(toks, filterToken{text: b.String(), quoted: true, pos: start})
		default:
			start := i
			for i < len(expr) && expr[i] != ' ' && expr[i] != '\'' {
				i++
			}
			toks = append(toks, filterToken{text: expr[start:i], pos: start})
		}
	}
	return toks, ""
}

// matches applies every clause to an item. An absent property matches only "ne", as a
// null compares in OData.
func (q graphQuery) matches(item map[string]any) bool {
	for _, c := range q.clauses {
		v, ok := item[c.prop]
		if !ok {
			if c.op != "ne" {
				return false
			}
			continue
		}
		var r int
		switch c.kind {
		case filterNumber:
			n, _ := v.(int64)
			r = cmp.Compare(n, c.num)
		case filterString:
			str, _ := v.(string)
			r = strings.Compare(strings.ToLower(str), strings.ToLower(c.str))
		}
		if !compareHolds(c.op, r) {
			return false
		}
	}
	return true
}

func compareHolds(op string, r int) bool {
	switch op {
	case "eq":
		return r == 0
	case "ne":
		return r != 0
	case "gt":
		return r > 0
	case "ge":
		return r >= 0
	case "lt":
		return r < 0
	}
	return r <= 0 // le
}

// project keeps the $select properties (and the item's @odata.type), or everything.
func (q graphQuery) project(item map[string]any) map[string]any {
	if len(q.selects) == 0 {
		return item
	}
	out := map[string]any{}
	for _, k := range append([]string{"@odata.type"}, q.selects...) {
		if v, ok := item[k]; ok {
			out[k] = v
		}
	}
	return out
}

// nextLink is the absolute URL of the page after skip+n: the path exactly as requested
// (bare or qualified function name, the client's escaping) with the same options.
func (q graphQuery) nextLink(r *http.Request, next int) string {
	var params []string
	for _, kv := range [][2]string{{"$filter", q.rawFilter}, {"$select", q.rawSelect}, {"$top", q.rawTop}} {
		if kv[1] != "" {
			params = append(params, kv[0]+"="+odataEscape(kv[1]))
		}
	}
	params = append(params, "$skip="+strconv.Itoa(next))
	return graphBaseURL(r) + r.URL.EscapedPath() + "?" + strings.Join(params, "&")
}

// odataEscape percent-encodes a query value, spaces as %20 as Graph writes them.
func odataEscape(v string) string {
	return strings.ReplaceAll(url.QueryEscape(v), "+", "%20")
}

// serveGraphList filters, pages and writes a collection.
func (s *Server) serveGraphList(w http.ResponseWriter, r *http.Request, context string, items []map[string]any, filters map[string]filterKind, selectable []string) {
	q, gerr := parseGraphQuery(r, filters, selectable)
	if gerr != nil {
		s.writeGraphError(w, r, *gerr)
		return
	}
	var matched []map[string]any
	for _, it := range items {
		if q.matches(it) {
			matched = append(matched, it)
		}
	}
	start := min(q.skip, len(matched))
	end := min(start+q.top, len(matched))
	value := make([]map[string]any, 0, end-start)
	for _, it := range matched[start:end] {
		value = append(value, q.project(it))
	}
	body := map[string]any{"@odata.context": graphBaseURL(r) + "/beta/$metadata#" + context, "value": value}
	if end < len(matched) {
		body["@odata.nextLink"] = q.nextLink(r, end)
	}
	writeJSON(w, http.StatusOK, body)
}

func (s *Server) serveGraphApps(w http.ResponseWriter, r *http.Request, apps []*graphApp) {
	evolvable := preferEvolvable(r)
	items := make([]map[string]any, len(apps))
	for i, a := range apps {
		items[i] = a.json(evolvable)
	}
	s.serveGraphList(w, r, "Collection(microsoft.graph.security.discoveredCloudAppDetail)", items, graphAppFilters, graphAppProperties)
}

func (s *Server) serveGraphApp(w http.ResponseWriter, r *http.Request, app *graphApp) {
	q, gerr := parseGraphQuery(r, nil, graphAppProperties)
	if gerr != nil {
		s.writeGraphError(w, r, *gerr)
		return
	}
	body := q.project(app.json(preferEvolvable(r)))
	typ := "discoveredCloudAppDetail"
	if app.endpoint {
		typ = "endpointDiscoveredCloudAppDetail"
	}
	body["@odata.context"] = graphBaseURL(r) + "/beta/$metadata#microsoft.graph.security." + typ + "/$entity"
	writeJSON(w, http.StatusOK, body)
}

func (s *Server) serveGraphAppInfo(w http.ResponseWriter, r *http.Request, app *graphApp) {
	info := s.appInfo(app, preferEvolvable(r))
	selectable := make([]string, 0, len(info))
	for k := range info {
		selectable = append(selectable, k)
	}
	q, gerr := parseGraphQuery(r, nil, selectable)
	if gerr != nil {
		s.writeGraphError(w, r, *gerr)
		return
	}
	body := q.project(info)
	body["@odata.context"] = graphBaseURL(r) + "/beta/$metadata#microsoft.graph.security.discoveredCloudAppInfo/$entity"
	writeJSON(w, http.StatusOK, body)
}

// serveGraphChildren lists an app's users, IP addresses or devices: items of one string
// property, prop.
func (s *Server) serveGraphChildren(w http.ResponseWriter, r *http.Request, typ, prop string, values []string) {
	items := make([]map[string]any, len(values))
	for i, v := range values {
		items[i] = map[string]any{prop: v}
	}
	filters := map[string]filterKind{prop: filterString}
	s.serveGraphList(w, r, "Collection(microsoft.graph.security."+typ+")", items, filters, []string{prop})
}
