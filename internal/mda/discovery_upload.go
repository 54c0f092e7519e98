package mda

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/blockblob"
	"golang.org/x/sync/errgroup"
)

// permDiscoveryUpload is the MDA permission the log upload needs (mda-api.md 7).
const permDiscoveryUpload = "Discovery.manage"

// DiscoveryUploadSources are the log formats the upload takes, by the names its
// documentation lists for upload_url's source parameter (mda-api.md 7.4,
// api-discovery-initiate.md). They are sent as written.
var DiscoveryUploadSources = []string{
	"BLUECOAT", "BARRACUDA", "BARRACUDA_NEXT_GEN_FW", "BARRACUDA_NEXT_GEN_FW_WEBLOG", "BARRACUDA_SYSLOG",
	"BLUECOAT_SYSLOG", "CHECKPOINT", "CHECKPOINT_CEF_SYSLOG", "CHECKPOINT_SMART_VIEW_TRACKER", "CHECKPOINT_XML",
	"CISCO_ASA", "CISCO_ASA_FIREPOWER_SYSLOG", "CISCO_ASA_SYSLOG", "CISCO_FIREPOWER_V6_SYSLOG", "CISCO_FWSM",
	"CISCO_FWSM_SYSLOG", "CISCO_IRONPORT_PROXY", "CISCO_IRONPORT_PROXY_SYSLOG", "CISCO_IRONPORT_WSA_II",
	"CISCO_IRONPORT_WSA_III", "CISCO_SCAN_SAFE", "CLAVISTER_SYSLOG", "CONTENTKEEPER_SYSLOG", "CORRATA",
	"FORCEPOINT", "FORCEPOINT_LEEF_SYSLOG", "FORTIGATE", "FORTIGATE_SYSLOG", "FORTIOS_SYSLOG", "GENERIC_CEF",
	"GENERIC_CEF_SYSLOG", "GENERIC_LEEF", "GENERIC_LEEF_SYSLOG", "GENERIC_W3C", "GENERIC_W3C_SYSLOG", "I_FILTER",
	"I_FILTER_SYSLOG", "IBOSS", "JUNIPER_SRX_SD_SYSLOG", "JUNIPER_SRX_SYSLOG", "JUNIPER_SRX_WELF_SYSLOG",
	"JUNIPER_SSG_SYSLOG", "MACHINE_ZONE_MERAKI", "MACHINE_ZONE_MERAKI_SYSLOG", "MCAFEE_SWG", "MCAFEE_SWG_SYSLOG",
	"MENLO_SECURITY_CEF", "MICROSOFT_ISA_W3C", "OPEN_SYSTEMS_SECURE_WEB_GATEWAY", "PALO_ALTO", "PALO_ALTO_LEEF",
	"PALO_ALTO_LEEF_SYSLOG", "PALO_ALTO_SYSLOG", "SONICWALL_SYSLOG", "SOPHOS_CYBEROAM_SYSLOG", "SOPHOS_SG",
	"SOPHOS_SG_SYSLOG", "SOPHOS_XG", "SOPHOS_XG_SYSLOG", "SQUID", "SQUID_NATIVE", "SQUID_NATIVE_SYSLOG",
	"STORMSHIELD_SYSLOG", "WANDERA_SYSLOG", "WATCHGUARD_XTM_SYSLOG", "WEBSENSE_SIEM_CEF_SYSLOG", "WEBSENSE_V7_5",
	"ZSCALER", "ZSCALER_CEF_SYSLOG", "ZSCALER_QRADAR_SYSLOG", "ZSCALER_SYSLOG",
}

const (
	// MaxDiscoveryUploadBytes is the largest file the upload takes (api-discovery-perform.md).
	MaxDiscoveryUploadBytes = 5 << 30
	// discoverySinglePutBytes is the largest file sent in one PUT: MDA's instructions say
	// files above 64 MB go to Azure in blocks (mda-api.md 7.4).
	discoverySinglePutBytes = 64 << 20
	// discoveryBlockBytes is the size of each block above that: 8 MiB keeps a 5 GB file
	// at 640 blocks, far below Azure's 50 000, and a failed block cheap to send again.
	discoveryBlockBytes = 8 << 20
	// discoveryBlockConcurrency is how many blocks are in flight at once. Each streams
	// from the file through its own section reader, so memory does not grow with it.
	discoveryBlockConcurrency = 4
	// discoveryBlobTryTimeout bounds one attempt of one PUT: a block of 8 MiB, or a
	// single PUT of up to 64 MB on a slow line, well within it.
	discoveryBlobTryTimeout = 10 * time.Minute
)

// DiscoveryLogUpload is one log file to hand to Cloud Discovery.
type DiscoveryLogUpload struct {
	// Path is the file; its base name is sent as the upload's filename.
	Path string
	// Source is the log format, one of DiscoveryUploadSources.
	Source string
	// DataSourceName is the data source the logs belong to (done_upload's
	// inputStreamName), or the name of the snapshot report AsSnapshot creates.
	DataSourceName string
	AsSnapshot     bool
	// SHA256, when set, is the hex SHA-256 the file must have: the one Terraform planned
	// with, so that a file changed since the plan is refused rather than uploaded.
	SHA256 string
}

// DiscoveryLogUploadResult is what a finished upload returns.
type DiscoveryLogUploadResult struct {
	// BlobURL is the storage URL the file went to, without its query: the shared access
	// signature in it is a credential and is never returned.
	BlobURL string
	// Provider is the storage MDA chose: "azure" or "aws".
	Provider string
	SHA256   string
	Size     int64
}

// StorageUploadError is a failure of the upload's second step: the PUT of the file to
// the storage URL MDA returned, which is not MDA and gets no MDA credentials. Status is 0
// when no answer came.
type StorageUploadError struct {
	Provider string
	// Host is the storage host; the URL's signature is left out.
	Host    string
	Status  int
	Code    string // Azure's x-ms-error-code, when it sent one
	Message string
	Err     error
}

func (e *StorageUploadError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "upload the log file to %s storage at %s", storageName(e.Provider), e.Host)
	switch {
	case e.Status != 0:
		fmt.Fprintf(&b, ": HTTP %d", e.Status)
		if t := http.StatusText(e.Status); t != "" {
			b.WriteString(" " + t)
		}
		if e.Code != "" {
			fmt.Fprintf(&b, " (%s)", e.Code)
		}
		if e.Message != "" {
			b.WriteString(": " + e.Message)
		}
	case e.Err != nil:
		fmt.Fprintf(&b, ": %v", e.Err)
	}
	return b.String()
}

func (e *StorageUploadError) Unwrap() error { return e.Err }

func storageName(provider string) string {
	if provider == "aws" {
		return "AWS S3"
	}
	return "Azure Blob"
}

// HashFile returns the hex SHA-256 of the file at path and its size, reading it as a
// stream: a file of gigabytes costs a 32 KiB buffer.
func HashFile(path string) (sum string, size int64, err error) {
	f, err := os.Open(path)
	if err != nil {
		return "", 0, err
	}
	defer func() { _ = f.Close() }()
	return hashReader(f)
}

func hashReader(r io.Reader) (string, int64, error) {
	h := sha256.New()
	n, err := io.Copy(h, r)
	if err != nil {
		return "", 0, err
	}
	return hex.EncodeToString(h.Sum(nil)), n, nil
}

// UploadDiscoveryLog uploads a log file to Cloud Discovery in MDA's three steps
// (mda-api.md 7.4): initiate (GET upload_url, retried like any read), the PUT of the file
// to the storage URL it returns (repeatable, retried, outside MDA's rate limit and
// without MDA credentials), and done_upload (a write: after a failure that may have
// reached MDA it is not repeated, and the error is an *AmbiguousError). The error names
// the step that failed. The file is streamed from disk, never held in memory.
func (c *Client) UploadDiscoveryLog(ctx context.Context, u DiscoveryLogUpload) (DiscoveryLogUploadResult, error) {
	var res DiscoveryLogUploadResult
	if !slices.Contains(DiscoveryUploadSources, u.Source) {
		return res, fmt.Errorf("upload discovery log: %q is not a documented log source", u.Source)
	}
	f, err := os.Open(u.Path)
	if err != nil {
		return res, fmt.Errorf("upload discovery log: reading the file: %w", err)
	}
	defer func() { _ = f.Close() }()
	st, err := f.Stat()
	switch {
	case err != nil:
		return res, fmt.Errorf("upload discovery log: reading the file: %w", err)
	case !st.Mode().IsRegular():
		return res, fmt.Errorf("upload discovery log: %s is not a regular file", u.Path)
	case st.Size() == 0:
		return res, fmt.Errorf("upload discovery log: %s is empty, and MDA has nothing to process in an empty log", u.Path)
	case st.Size() > MaxDiscoveryUploadBytes:
		return res, fmt.Errorf("upload discovery log: %s has %d bytes, more than the 5 GB MDA takes in one file: split the log into several files", u.Path, st.Size())
	}
	// Hashed before anything is sent: a file that changed since the plan would otherwise
	// be uploaded and recorded under a hash it does not have.
	sum, size, err := hashReader(io.NewSectionReader(f, 0, st.Size()))
	if err != nil {
		return res, fmt.Errorf("upload discovery log: reading the file: %w", err)
	}
	if u.SHA256 != "" && !strings.EqualFold(sum, u.SHA256) {
		return res, fmt.Errorf("upload discovery log: %s changed since the plan (SHA-256 %s, planned %s): run terraform plan again", u.Path, sum, u.SHA256)
	}

	target, err := c.initiateDiscoveryUpload(ctx, filepath.Base(u.Path), u.Source)
	if err != nil {
		return res, &DiscoveryUploadStepError{Step: UploadStepInitiate, Err: err}
	}
	blob, err := url.Parse(target.URL)
	if err != nil || !blob.IsAbs() || blob.Host == "" || (blob.Scheme != "https" && (blob.Scheme != "http" || !IsLoopback(blob.Hostname()))) {
		return res, &DiscoveryUploadStepError{Step: UploadStepInitiate, Err: fmt.Errorf(
			"initiate discovery log upload: MDA returned a storage URL that is not an https URL (%s)", redactURL(target.URL))}
	}
	c.logger.Log(ctx, LevelInfo, "uploading discovery log to storage", map[string]any{
		"provider": target.Provider, "host": blob.Host, "bytes": size,
	})
	if err := c.putDiscoveryLog(ctx, target, blob, f, size); err != nil {
		return res, &DiscoveryUploadStepError{Step: UploadStepStorage, Err: err}
	}
	if err := c.finishDiscoveryUpload(ctx, target.URL, u.DataSourceName, u.AsSnapshot); err != nil {
		return res, &DiscoveryUploadStepError{Step: UploadStepFinish, Err: err}
	}
	return DiscoveryLogUploadResult{BlobURL: redactURL(target.URL), Provider: target.Provider, SHA256: sum, Size: size}, nil
}

// Steps of the log upload, as DiscoveryUploadStepError names them.
const (
	UploadStepInitiate = "initiate"
	UploadStepStorage  = "storage"
	UploadStepFinish   = "done_upload"
)

// DiscoveryUploadStepError says which step of UploadDiscoveryLog failed; its message is
// Err's, and errors.As reaches the *APIError, *AmbiguousError or *StorageUploadError
// inside.
type DiscoveryUploadStepError struct {
	Step string // UploadStepInitiate, UploadStepStorage or UploadStepFinish
	Err  error
}

func (e *DiscoveryUploadStepError) Error() string { return e.Err.Error() }
func (e *DiscoveryUploadStepError) Unwrap() error { return e.Err }

// UploadStep is the step of the log upload err comes from, or "" when it failed before
// any request (a file that cannot be read, say).
func UploadStep(err error) string {
	var se *DiscoveryUploadStepError
	if errors.As(err, &se) {
		return se.Step
	}
	return ""
}

// uploadTarget is upload_url's answer.
type uploadTarget struct {
	URL      string `json:"url"`
	Provider string `json:"provider"`
}

func (c *Client) initiateDiscoveryUpload(ctx context.Context, filename, source string) (uploadTarget, error) {
	op := newOperation("initiate discovery log upload", http.MethodGet, "/v1/discovery/upload_url/", permDiscoveryUpload, classRead)
	op.path += "?" + url.Values{"filename": {filename}, "source": {source}}.Encode()
	var t uploadTarget
	if err := c.do(ctx, op, nil, &t); err != nil {
		return t, err
	}
	t.Provider = strings.ToLower(strings.TrimSpace(t.Provider))
	switch {
	case t.URL == "":
		return t, errors.New("initiate discovery log upload: MDA's answer has no upload URL")
	case t.Provider != "azure" && t.Provider != "aws":
		return t, fmt.Errorf("initiate discovery log upload: MDA named the storage provider %q; the provider knows \"azure\" and \"aws\"", t.Provider)
	}
	return t, nil
}

// finishDiscoveryUpload is done_upload: MDA starts processing the uploaded file. It is a
// create (each call may queue the file once more), so it is not repeated once it may
// have reached MDA.
func (c *Client) finishDiscoveryUpload(ctx context.Context, uploadURL, dataSource string, snapshot bool) error {
	op := newOperation("finish discovery log upload (done_upload)", http.MethodPost, "/v1/discovery/done_upload/", permDiscoveryUpload, classWrite)
	body := map[string]any{"uploadUrl": uploadURL, "inputStreamName": dataSource, "uploadAsSnapshot": snapshot}
	return c.do(ctx, op, body, nil)
}

// putDiscoveryLog sends the file to the storage URL. The request goes through the
// client's HTTP transport (proxy settings, TLS) but neither its limiter nor its
// credentials: the storage is not MDA, and the URL's signature is the only credential.
func (c *Client) putDiscoveryLog(ctx context.Context, t uploadTarget, blob *url.URL, f *os.File, size int64) error {
	var err error
	if t.Provider == "aws" {
		err = c.putS3(ctx, t.URL, f, size)
	} else {
		err = c.putAzure(ctx, t.URL, f, size)
	}
	if err == nil {
		return nil
	}
	se := &StorageUploadError{Provider: t.Provider, Host: blob.Host, Err: redact(err, blob)}
	var re *azcore.ResponseError
	var he *storageHTTPError
	switch {
	case errors.As(err, &re):
		se.Status, se.Code = re.StatusCode, re.ErrorCode
		if re.RawResponse != nil {
			// The SDK has read the body already and keeps it for Payload.
			body, _ := runtime.Payload(re.RawResponse)
			se.Message = storageMessage(body)
		}
	case errors.As(err, &he):
		se.Status, se.Message = he.status, he.message
	}
	return se
}

// putAzure uploads with the Azure SDK's block blob client, which speaks the protocol and
// retries each request; the split into blocks is made here, because the SDK sends up to
// 256 MB in one PUT and MDA asks for blocks above 64 MB.
func (c *Client) putAzure(ctx context.Context, sasURL string, f *os.File, size int64) error {
	retries := c.maxRetries
	if retries == 0 {
		retries = -1 // the SDK reads 0 as "its default of 3"
	}
	bb, err := blockblob.NewClientWithNoCredential(sasURL, &blockblob.ClientOptions{ClientOptions: azcore.ClientOptions{
		Transport: c.http,
		Retry: policy.RetryOptions{
			MaxRetries: int32(retries), TryTimeout: discoveryBlobTryTimeout,
			RetryDelay: backoffBase, MaxRetryDelay: backoffCap,
		},
		Telemetry: policy.TelemetryOptions{Disabled: true},
	}})
	if err != nil {
		return err
	}
	if size <= discoverySinglePutBytes {
		_, err := bb.Upload(ctx, nopCloser{io.NewSectionReader(f, 0, size)}, nil)
		return err
	}
	n := int((size + discoveryBlockBytes - 1) / discoveryBlockBytes)
	ids := make([]string, n)
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(discoveryBlockConcurrency)
	for i := range n {
		// Every id of a blob must have the same length; a zero-padded index does.
		ids[i] = base64.StdEncoding.EncodeToString(fmt.Appendf(nil, "mda-block-%06d", i))
		off := int64(i) * discoveryBlockBytes
		g.Go(func() error {
			_, err := bb.StageBlock(gctx, ids[i], nopCloser{io.NewSectionReader(f, off, min(discoveryBlockBytes, size-off))}, nil)
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return err
	}
	_, err = bb.CommitBlockList(ctx, ids, nil)
	return err
}

// putS3 sends the file in one PUT to a presigned S3 URL, tried again after failures
// that a repeat cannot make worse: a PUT of the same bytes to the same key.
func (c *Client) putS3(ctx context.Context, presigned string, f *os.File, size int64) error {
	for attempt := 0; ; attempt++ {
		err := c.putS3Once(ctx, presigned, f, size)
		var he *storageHTTPError
		retry := err != nil && ctx.Err() == nil && attempt < c.maxRetries &&
			(!errors.As(err, &he) || he.status == http.StatusTooManyRequests || he.status >= 500)
		if !retry {
			return err
		}
		if err := c.sleep(ctx, c.jitter(backoff(attempt+1))); err != nil {
			return err
		}
	}
}

func (c *Client) putS3Once(ctx context.Context, presigned string, f *os.File, size int64) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, presigned, io.NewSectionReader(f, 0, size))
	if err != nil {
		return err
	}
	req.ContentLength = size
	req.Header.Set("User-Agent", c.userAgent)
	resp, err := c.http.Do(req)
	if err != nil {
		return err
	}
	defer func() { _ = resp.Body.Close() }()
	if resp.StatusCode/100 == 2 {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxErrorBody))
		return nil
	}
	body, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	return &storageHTTPError{status: resp.StatusCode, message: storageMessage(body)}
}

type storageHTTPError struct {
	status  int
	message string
}

func (e *storageHTTPError) Error() string { return fmt.Sprintf("HTTP %d: %s", e.status, e.message) }

// storageMessage is the readable part of a storage error body: Azure and S3 both answer
// <Error><Code>..</Code><Message>..</Message></Error>.
func storageMessage(body []byte) string {
	s := string(body[:min(len(body), maxErrorBody)])
	if i := strings.Index(s, "<Message>"); i >= 0 {
		s = s[i+len("<Message>"):]
		if j := strings.Index(s, "</Message>"); j >= 0 {
			s = s[:j]
		}
	}
	return truncate(collapseSpace(s), maxMessage)
}

// nopCloser gives a section reader the Close the SDK's bodies need, keeping its Seek
// (which the SDK uses to send a body again on a retry).
type nopCloser struct{ *io.SectionReader }

func (nopCloser) Close() error { return nil }

// redactURL is u without its query and fragment: a storage URL's query is its shared
// access signature.
func redactURL(u string) string {
	if i := strings.IndexAny(u, "?#"); i >= 0 {
		return u[:i]
	}
	return u
}

// redact wraps err so that its message never shows the storage URL's query: Go's
// transport errors quote the whole URL, signature included.
func redact(err error, blob *url.URL) error {
	if err == nil || blob.RawQuery == "" {
		return err
	}
	// The SDK reorders the query, so the URL is matched up to its "?" and the whole
	// query after it goes, whatever its order; single values go too, wherever they show.
	withQuery := regexp.MustCompile(regexp.QuoteMeta(blob.Host+blob.EscapedPath()) + `\?[^\s"']*`)
	return &redactedError{err: err, withQuery: withQuery, secrets: sasSecrets(blob)}
}

func sasSecrets(blob *url.URL) []string {
	secrets := []string{blob.RawQuery}
	for _, vs := range blob.Query() {
		for _, v := range vs {
			if len(v) >= 8 {
				secrets = append(secrets, v, url.QueryEscape(v))
			}
		}
	}
	return secrets
}

type redactedError struct {
	err       error
	withQuery *regexp.Regexp
	secrets   []string
}

func (e *redactedError) Error() string {
	s := e.withQuery.ReplaceAllStringFunc(e.err.Error(), func(m string) string {
		base, _, _ := strings.Cut(m, "?")
		return base + "?REDACTED"
	})
	for _, secret := range e.secrets {
		s = strings.ReplaceAll(s, secret, "REDACTED")
	}
	return s
}

func (e *redactedError) Unwrap() error { return e.err }
