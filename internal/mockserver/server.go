// Package mockserver is an in-memory Microsoft Defender for Cloud Apps tenant plus an
// Entra-like token endpoint. It is written from mda-api.md, not from internal/mda, so that
// the client and the mock can disagree and a test can notice. Where the API document marks
// a behaviour [U] (unknown) or [I] (inferred), the choice made here says so in a comment.
package mockserver

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"time"
)

const (
	defaultTenant = "00000000-0000-0000-0000-0000000000aa"

	// mdaAppID is the "Microsoft Cloud App Security" resource application: the audience of
	// every token the API accepts.
	mdaAppID = "05a65629-4c1b-48c1-a78b-804c4abdd4af"

	// maxBody caps request bodies; the real API has no documented limit, but nothing the
	// provider sends comes near it.
	maxBody = 1 << 20
)

// Options configures a Server. The zero value is usable: one tenant, nobody able to
// authenticate, the real 30-per-minute limit.
type Options struct {
	Tenant  string             // Entra tenant id; default "00000000-0000-0000-0000-0000000000aa"
	Tokens  []string           // legacy API tokens accepted with "Authorization: Token <k>"
	Clients []ClientCredential // Entra apps for client_credentials

	// ManagedIdentities answer the managed-identity endpoints (IMDS and App Service forms,
	// see msi.go); IdentityHeader is the App Service secret (IDENTITY_HEADER) those requests
	// must carry, and "" refuses the App Service form.
	ManagedIdentities []ManagedIdentity
	IdentityHeader    string
	// OIDCRuns are the pipeline runs that the mock's own OIDC issuer (oidc_issuer.go) gives
	// federated tokens to, like GitHub Actions and Azure DevOps do.
	OIDCRuns []OIDCRun
	// OnSignIn, when set, is called after every sign-in is recorded (see SignIns), before
	// the answer is sent: tests use it to change the world between two sign-ins.
	OnSignIn func(SignIn)

	Rate   int           // requests allowed per Window per tenant; 0 -> 30; negative -> unlimited
	Window time.Duration // 0 -> 60s

	Seed          int64            // fixed seed for generated data; 0 -> 1
	TokenLifetime time.Duration    // access token lifetime (expires_in); 0 -> 1h
	Now           func() time.Time // clock for throttling, token expiry and timestamps; nil -> time.Now

	// RequireIDOnUpdate emulates the inferred self-collision of update_rule: without "_id"
	// in the body, the unique-name check counts the range being updated (mda-api.md 2.3, [I]).
	RequireIDOnUpdate bool

	// RejectOverlap makes create and update refuse subnets that overlap another custom
	// range. The docs say overlaps are not allowed, but the error is unknown ([U]), so it
	// is off by default.
	RejectOverlap bool

	// NoSubnetGet makes GET /api/v1/subnet/<id>/ (undocumented, mda-api.md 2) answer 405,
	// as a tenant that does not serve it would, so that clients' fallbacks can be tested.
	NoSubnetGet bool

	Logger *log.Logger // optional request log
}

// ClientCredential is an Entra application allowed to use the client_credentials grant.
// Roles become the token's "roles" claim (compared case-insensitively). An app proves who
// it is with its Secret, with a client assertion signed by the key of one of its
// Certificates, or with a federated token matching one of its Federated credentials
// (token_assertion.go).
type ClientCredential struct {
	ID, Secret   string
	Roles        []string
	Certificates []*x509.Certificate
	Federated    []FederatedIdentity
	// GraphRoles are the roles of the app's Microsoft Graph tokens (scope
	// https://graph.microsoft.com/.default), e.g. "CloudApp-Discovery.Read.All", which the
	// Cloud Discovery surface under /beta requires (graph.go).
	GraphRoles []string
}

// Server is the mock. It implements http.Handler, so tests may mount it on an
// httptest.Server; Start serves it on a real listener.
type Server struct {
	opts       Options
	tenant     string
	now        func() time.Time
	signingKey []byte

	// mu guards everything below it. One lock is enough: handlers are fast and the real
	// API allows 30 requests a minute.
	mu       sync.Mutex
	store    *store
	stats    Stats
	faults   *faultSet
	throttle *slidingWindow
	signIns  []SignIn

	// blobs is the log upload's storage target (blob.go), under its own lock.
	blobs blobStore

	// issuerKey signs the federated tokens of the mock's OIDC issuer; made on first use.
	issuerKeyOnce sync.Once
	issuerKey     *rsa.PrivateKey

	httpSrv *http.Server
	url     string
}

// New builds a server with seeded data; it does not listen (see Start).
func New(opts Options) *Server {
	if opts.Tenant == "" {
		opts.Tenant = defaultTenant
	}
	if opts.Rate == 0 {
		opts.Rate = 30
	}
	if opts.Window <= 0 {
		opts.Window = time.Minute
	}
	if opts.Seed == 0 {
		opts.Seed = 1
	}
	if opts.TokenLifetime <= 0 {
		opts.TokenLifetime = time.Hour
	}
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	// The signing key is random on purpose: a token from another mock instance must fail
	// signature checks the way a token for another tenant would.
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		panic(fmt.Sprintf("mockserver: reading random signing key: %v", err))
	}
	s := &Server{
		opts:       opts,
		tenant:     opts.Tenant,
		now:        now,
		signingKey: key,
		stats:      newStats(),
		faults:     newFaultSet(opts.Seed),
		throttle:   newSlidingWindow(opts.Rate, opts.Window),
	}
	s.store = newStore(opts.Seed, now())
	return s
}

// Start builds a server and serves it on listen ("" means 127.0.0.1 on a free port).
func Start(opts Options, listen string) (*Server, error) {
	if listen == "" {
		listen = "127.0.0.1:0"
	}
	ln, err := new(net.ListenConfig).Listen(context.Background(), "tcp", listen)
	if err != nil {
		return nil, fmt.Errorf("listening on %s: %w", listen, err)
	}
	s := New(opts)
	s.httpSrv = &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second}
	s.url = "http://" + ln.Addr().String()
	go func() {
		if err := s.httpSrv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) && s.opts.Logger != nil {
			s.opts.Logger.Printf("serve: %v", err)
		}
	}()
	return s, nil
}

// URL is the base URL: the provider's portal_url (the client appends /api) and its
// authority URL (the token endpoint is TokenURL). It is empty unless the server was
// started with Start.
func (s *Server) URL() string { return s.url }

// TokenURL is the client_credentials endpoint for this server's tenant.
func (s *Server) TokenURL() string { return s.url + "/" + s.tenant + "/oauth2/v2.0/token" }

// Tenant is the Entra tenant id the token endpoint and Bearer tokens must carry.
func (s *Server) Tenant() string { return s.tenant }

// Close stops a server started with Start at once, dropping open connections.
func (s *Server) Close() {
	if s.httpSrv != nil {
		_ = s.httpSrv.Close()
	}
	s.blobs.close()
}

// Shutdown stops a server started with Start, letting requests in flight finish.
func (s *Server) Shutdown(ctx context.Context) error {
	if s.httpSrv == nil {
		return nil
	}
	return s.httpSrv.Shutdown(ctx)
}

// ServeHTTP counts the request, applies any matching fault, then serves it.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if isAdminPath(r.URL.Path) {
		s.serveAdmin(w, r)
		return
	}
	sw := &statusWriter{ResponseWriter: w}
	start := time.Now()
	defer func() {
		if s.opts.Logger != nil {
			s.opts.Logger.Printf("%s %s -> %s (%s)", r.Method, r.URL.Path, sw.outcome(), time.Since(start).Round(time.Millisecond))
		}
	}()

	d := s.dispatch(r)
	s.mu.Lock()
	s.stats.count(d.key)
	f := s.faults.take(r.Method, d.key, canonicalPath(r.URL.Path))
	if f != nil {
		s.stats.Faulted++
	}
	s.mu.Unlock()

	if f == nil {
		s.handle(sw, r, d)
		return
	}
	if !f.After {
		if !injectFault(sw, r, f) {
			s.handle(sw, r, d)
		}
		return
	}
	// An "after" fault lets the request take effect, then hides the answer: the write
	// happened but the client sees a failure (the ambiguous create).
	rec := httptest.NewRecorder()
	s.handle(rec, r, d)
	if injectFault(sw, r, f) {
		return
	}
	for k, v := range rec.Header() {
		sw.Header()[k] = v
	}
	sw.WriteHeader(rec.Code)
	_, _ = sw.Write(rec.Body.Bytes())
}

// handle serves one request that no fault has already answered.
func (s *Server) handle(w http.ResponseWriter, r *http.Request, d dispatched) {
	switch d.kind {
	case kindToken:
		s.serveToken(w, r, d.tenant)
	case kindOpenIDConfig:
		s.serveOpenIDConfig(w, r, d.tenant)
	case kindIdentity:
		d.identity(s, w, r)
	case kindNotFound:
		writeNotFoundPage(w)
	case kindMethodNotAllowed:
		w.Header().Set("Allow", strings.Join(d.allow, ", "))
		writeDetail(w, http.StatusMethodNotAllowed, fmt.Sprintf("Method %q not allowed.", r.Method))
	case kindAPI:
		s.serveAPI(w, r, d)
	case kindGraph:
		s.serveGraph(w, r, d)
	case kindBlob:
		s.serveBlob(w, r)
	}
}

// serveAPI applies the checks in the order Django REST framework runs them
// (authentication, permissions, throttling; [I] from the error shapes in mda-api.md 1.8),
// so a 401 or 403 does not spend a slot of the tenant's budget.
func (s *Server) serveAPI(w http.ResponseWriter, r *http.Request, d dispatched) {
	p, failure := s.authenticate(r)
	if failure != nil {
		failure.write(w)
		return
	}
	if !p.allowed(d.route.perm) {
		writeJSON(w, http.StatusForbidden, map[string]any{
			"detail": "Insufficient role based permissions",
			// requiredRoles is the mock's addition: the real body's shape is not known
			// ([I]), and naming the role lets tests check the client reports it.
			"requiredRoles": d.route.perm.required,
		})
		return
	}
	s.mu.Lock()
	wait, ok := s.throttle.admit(s.now())
	if !ok {
		s.stats.Throttled++
	}
	s.mu.Unlock()
	if !ok {
		writeThrottled(w, wait)
		return
	}
	body, err := readBody(r)
	if errors.Is(err, errBodyTooLarge) {
		writeDetail(w, http.StatusRequestEntityTooLarge, err.Error())
		return
	}
	if err != nil {
		writeDetail(w, http.StatusBadRequest, err.Error())
		return
	}
	d.route.handle(s, w, &apiRequest{r: r, body: body, id: d.id})
}

var errBodyTooLarge = fmt.Errorf("request body larger than %d bytes", maxBody)

func readBody(r *http.Request) ([]byte, error) {
	if r.Body == nil {
		return nil, nil
	}
	b, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	if err != nil {
		return nil, fmt.Errorf("reading request body: %w", err)
	}
	if len(b) > maxBody {
		return nil, errBodyTooLarge
	}
	return b, nil
}

// statusWriter remembers the status for the request log and passes Hijack through so a
// "drop" fault can close the connection.
type statusWriter struct {
	http.ResponseWriter
	status  int
	dropped bool
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) hijacker() (http.Hijacker, bool) {
	h, ok := w.ResponseWriter.(http.Hijacker)
	return h, ok
}

func (w *statusWriter) outcome() string {
	if w.dropped {
		return "dropped"
	}
	if w.status == 0 {
		return "no response"
	}
	return fmt.Sprint(w.status)
}
