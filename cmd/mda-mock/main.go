// Command mda-mock serves an in-memory Microsoft Defender for Cloud Apps tenant and an
// Entra-like token endpoint, so Terraform configurations can be tried without a tenant:
//
//	go run ./cmd/mda-mock -token t1
//	go run ./cmd/mda-mock -client 11111111-1111-1111-1111-111111111111:s3cret:Settings.manage
//	go run ./cmd/mda-mock -client-cert 11111111-1111-1111-1111-111111111111:cert.pem:Settings.manage
//	go run ./cmd/mda-mock -federated 11111111-1111-1111-1111-111111111111:Settings.manage:github:repo:contoso/infra:ref:refs/heads/main \
//	    -oidc-run run-token:repo:contoso/infra:ref:refs/heads/main
//	go run ./cmd/mda-mock -managed-identity system:22222222-2222-2222-2222-222222222222:Settings.manage
//
// The same server answers Microsoft Graph beta's Cloud Discovery API under /beta (the
// provider's graph_url): every Entra app and managed identity gets Graph tokens with
// CloudApp-Discovery.Read.All unless -graph-role=false.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/mda-terraform/terraform-provider-mda/internal/mockserver"
)

// repeated collects a flag given several times.
type repeated []string

func (r *repeated) String() string     { return strings.Join(*r, ",") }
func (r *repeated) Set(v string) error { *r = append(*r, v); return nil }

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "mda-mock:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	fs := flag.NewFlagSet("mda-mock", flag.ContinueOnError)
	var tokens, clients repeated
	listen := fs.String("listen", "127.0.0.1:8085", "address to listen on")
	fs.Var(&tokens, "token", "legacy API token to accept (repeatable)")
	fs.Var(&clients, "client", "Entra app as ID:SECRET:ROLE[,ROLE...] (repeatable), e.g. Settings.manage")
	tenant := fs.String("tenant", "00000000-0000-0000-0000-0000000000aa", "Entra tenant id")
	rate := fs.Int("rate", 30, "requests allowed per window per tenant; negative for unlimited")
	window := fs.Duration("window", time.Minute, "throttle window")
	seed := fs.Int64("seed", 1, "seed for generated data")
	seedRanges := fs.Int("seed-ranges", 0, "custom IP ranges to create at start")
	requireID := fs.Bool("require-id-on-update", false, "emulate update_rule's inferred self-collision when the body has no _id")
	rejectOverlap := fs.Bool("reject-overlap", false, "refuse custom ranges whose subnets overlap another custom range")
	quiet := fs.Bool("quiet", false, "do not log requests")
	graphRole := fs.Bool("graph-role", true, "give every Entra app and managed identity the Microsoft Graph permission "+
		mockserver.GraphDiscoveryRole+" for the Cloud Discovery API under /beta (false: Graph answers 403)")
	var identities identityFlags
	identities.register(fs)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}

	opts := mockserver.Options{
		Tenant:            *tenant,
		Tokens:            tokens,
		Rate:              *rate,
		Window:            *window,
		Seed:              *seed,
		RequireIDOnUpdate: *requireID,
		RejectOverlap:     *rejectOverlap,
	}
	for _, c := range clients {
		cred, err := parseClient(c)
		if err != nil {
			return err
		}
		opts.Clients = append(opts.Clients, cred)
	}
	if err := identities.apply(&opts); err != nil {
		return err
	}
	if *graphRole {
		grantGraphRole(&opts)
	}
	if !*quiet {
		opts.Logger = log.New(os.Stderr, "mda-mock: ", log.LstdFlags|log.Lmicroseconds)
	}
	if *rate == 0 {
		// 0 would mean "the default" to mockserver; on the command line it is more likely
		// a mistake than a wish for 30.
		return errors.New("-rate 0 would refuse every request; use a negative rate for unlimited")
	}

	srv, err := mockserver.Start(opts, *listen)
	if err != nil {
		return err
	}
	if *seedRanges > 0 {
		srv.SeedSubnets(*seedRanges, "")
	}
	printBanner(srv, opts)

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	<-ctx.Done()
	stop()
	fmt.Fprintln(os.Stderr, "mda-mock: shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return srv.Shutdown(shutdownCtx)
}

// grantGraphRole gives every Entra app and managed identity the Graph permission of the
// Cloud Discovery API, as an admin consenting to it would.
func grantGraphRole(opts *mockserver.Options) {
	for i := range opts.Clients {
		opts.Clients[i].GraphRoles = []string{mockserver.GraphDiscoveryRole}
	}
	for i := range opts.ManagedIdentities {
		opts.ManagedIdentities[i].GraphRoles = []string{mockserver.GraphDiscoveryRole}
	}
}

// parseClient reads ID:SECRET:ROLES. The id is a GUID and has no colon; the secret may
// have colons, so the roles are whatever follows the last one.
func parseClient(v string) (mockserver.ClientCredential, error) {
	id, rest, ok := strings.Cut(v, ":")
	if !ok || id == "" || rest == "" {
		return mockserver.ClientCredential{}, fmt.Errorf("-client %q: want ID:SECRET:ROLE[,ROLE...]", v)
	}
	secret, roles := rest, ""
	if i := strings.LastIndex(rest, ":"); i >= 0 {
		secret, roles = rest[:i], rest[i+1:]
	}
	if secret == "" {
		return mockserver.ClientCredential{}, fmt.Errorf("-client %q: the secret is empty", v)
	}
	cred := mockserver.ClientCredential{ID: id, Secret: secret}
	for _, r := range strings.Split(roles, ",") {
		if r = strings.TrimSpace(r); r != "" {
			cred.Roles = append(cred.Roles, r)
		}
	}
	if len(cred.Roles) == 0 {
		fmt.Fprintf(os.Stderr, "mda-mock: warning: client %s has no roles; every API call it makes will get 403\n", id)
	}
	return cred, nil
}

func printBanner(srv *mockserver.Server, opts mockserver.Options) {
	url := srv.URL()
	window := opts.Window.String()
	if opts.Window%time.Second == 0 {
		window = fmt.Sprintf("%ds", int(opts.Window/time.Second))
	}
	limit := fmt.Sprintf("%d requests per %s", opts.Rate, window)
	if opts.Rate < 0 {
		limit = "no request limit"
	}
	fmt.Printf("mda-mock serving tenant %s on %s (%s)\n\n", srv.Tenant(), url, limit)
	fmt.Printf("  portal_url    = %q\n", url)
	fmt.Printf("  authority_url = %q\n", url)
	fmt.Printf("  graph_url     = %q # Cloud Discovery (Graph beta); Entra apps and managed identities only\n", url)
	fmt.Printf("  tenant_id     = %q\n\n", srv.Tenant())

	if len(opts.Tokens) == 0 && len(opts.Clients) == 0 && len(opts.ManagedIdentities) == 0 {
		fmt.Fprintln(os.Stderr, "mda-mock: warning: no -token, -client, -client-cert, -federated or -managed-identity given; nothing can authenticate")
	}
	if len(opts.Tokens) > 0 {
		fmt.Println("# With the legacy API token:")
		fmt.Printf("export MDA_PORTAL_URL=%s\n", url)
		fmt.Printf("export MDA_API_TOKEN=%s\n\n", shellQuote(opts.Tokens[0]))
	}
	for _, c := range opts.Clients {
		if c.Secret == "" {
			continue
		}
		fmt.Println("# With the Entra app (client credentials):")
		fmt.Printf("export MDA_PORTAL_URL=%s\n", url)
		fmt.Printf("export MDA_AUTHORITY_URL=%s MDA_TENANT_ID=%s\n", url, srv.Tenant())
		fmt.Printf("export MDA_CLIENT_ID=%s MDA_CLIENT_SECRET=%s\n", shellQuote(c.ID), shellQuote(c.Secret))
		fmt.Printf("export MDA_GRAPH_URL=%s\n\n", url)
		break
	}
	printIdentityBanner(url, srv.Tenant(), opts)
	fmt.Printf("Admin API: %s/_mock/ (stats, reset, faults, seed). Ctrl-C stops.\n", url)
}

// shellQuote leaves plain words alone and single-quotes anything else.
func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.=/:") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
