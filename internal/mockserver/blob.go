package mockserver

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/xml"
	"fmt"
	"hash"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// The blob target stands in for the storage URL upload_url returns (mda-api.md 7.4): an
// Azure Blob container reached with a shared access signature in the query, or an S3
// presigned URL. It is not MDA: no MDA credential is checked or wanted there, MDA's rate
// limit does not apply, and a request that carries an Authorization header is refused,
// so that a client leaking its MDA token to storage fails loudly.
//
// It serves Put Blob (one PUT with x-ms-blob-type: BlockBlob), Put Block
// (?comp=block&blockid=) and Put Block List (?comp=blocklist, XML body). Blob bytes are
// not kept in memory: a committed blob is its size and SHA-256. Staged blocks go to
// files in a temporary directory until Put Block List, because the blob's SHA-256 is
// over the blocks in list order, which need not be the order they arrived in (clients
// send blocks concurrently); the files are removed at commit and when the server closes.

const (
	blobPrefix = "/_blob/"
	// blobPattern is the stats key's and fault matches' spelling of every blob URL.
	blobPattern = "/_blob/{container}/{blob}"
	// blobContainer is the one container upload_url hands out.
	blobContainer = "discovery-uploads"
	// maxSinglePut is what one Put Blob takes here: MDA's instructions send files above
	// 64 MB in blocks (api-discovery-perform.md), which says its storage answers larger
	// single PUTs with an error ([I]: the service version of its SAS is not known).
	maxSinglePut = 64 << 20
	// maxBlock is Azure's largest block (4000 MiB); maxBlobBytes MDA's 5 GB per file.
	maxBlock     = 4000 << 20
	maxBlobBytes = 5 << 30
)

// BlobInfo is what the blob target holds for one upload URL.
type BlobInfo struct {
	Container, Name string
	// Provider is "azure" or "aws", as upload_url answered.
	Provider string
	// Source and Filename are upload_url's parameters.
	Source, Filename string
	Committed        bool
	Size             int64
	SHA256           string // hex, of the committed content
	// Blocks is the number of blocks Put Block List committed; 0 for a single PUT.
	Blocks int
	// Finished is set once done_upload accepted the blob.
	Finished bool
	// Signature is the URL's signature (sig, or X-Amz-Signature): a credential, which
	// tests look for in logs and state.
	Signature string
}

// mockBlob is one upload URL's blob.
type mockBlob struct {
	info BlobInfo
	sig  string
	// staged are the uncommitted blocks by block id: temp files.
	staged map[string]stagedBlock
}

type stagedBlock struct {
	path string
	size int64
}

// blobStore holds the blob target's state. Its own lock, not the server's, guards it:
// a PUT streams megabytes, and the server's lock must not wait on a network read.
type blobStore struct {
	mu sync.Mutex
	// blobs by "<container>/<name>".
	blobs    map[string]*mockBlob
	dir      string // temp dir for staged blocks, made on first use
	sawAuth  bool
	provider string // "" or "azure" -> azure; "aws"
}

// SetUploadProvider makes upload_url answer with provider "aws" (a presigned-URL style
// target taking one PUT) instead of the default "azure".
func (s *Server) SetUploadProvider(provider string) {
	s.blobs.mu.Lock()
	defer s.blobs.mu.Unlock()
	s.blobs.provider = provider
}

// BlobSawAuthorization reports whether any request to the blob target ever carried an
// Authorization header (each was refused with 403): tests assert it stays false, proof
// that no MDA credential went to storage.
func (s *Server) BlobSawAuthorization() bool {
	s.blobs.mu.Lock()
	defer s.blobs.mu.Unlock()
	return s.blobs.sawAuth
}

// Blobs lists every upload URL handed out, committed or not.
func (s *Server) Blobs() []BlobInfo {
	s.blobs.mu.Lock()
	defer s.blobs.mu.Unlock()
	out := make([]BlobInfo, 0, len(s.blobs.blobs))
	for _, b := range s.blobs.blobs {
		out = append(out, b.info)
	}
	return out
}

// newBlob issues a blob URL path and query for an upload_url request.
func (bs *blobStore) newBlob(filename, source string) (pathAndQuery, provider string) {
	bs.mu.Lock()
	defer bs.mu.Unlock()
	if bs.blobs == nil {
		bs.blobs = map[string]*mockBlob{}
	}
	provider = "azure"
	if bs.provider == "aws" {
		provider = "aws"
	}
	name := randomHex(16) + "/" + sanitizeBlobName(filename)
	b := &mockBlob{
		info: BlobInfo{Container: blobContainer, Name: name, Provider: provider, Source: source, Filename: filename},
		// The signature is base64, as Azure's are, so that clients must escape it.
		sig: base64.StdEncoding.EncodeToString([]byte(randomHex(16))),
	}
	b.info.Signature = b.sig
	bs.blobs[blobContainer+"/"+name] = b
	q := "sv=2020-08-04&sr=b&sp=cw&se=" + time.Now().Add(time.Hour).UTC().Format("2006-01-02T15:04:05Z") + "&sig=" + url.QueryEscape(b.sig)
	if provider == "aws" {
		q = "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Expires=3600&X-Amz-Signature=" + url.QueryEscape(b.sig)
	}
	escaped := blobContainer + "/" + strings.Replace(url.PathEscape(name), "%2F", "/", 1)
	return blobPrefix + escaped + "?" + q, provider
}

// lookup finds the blob at container/name (unescaped) whose signature is sig; nil when
// there is none. The caller holds bs.mu.
func (bs *blobStore) lookup(container, name, sig string) *mockBlob {
	b := bs.blobs[container+"/"+name]
	if b == nil || b.sig != sig {
		return nil
	}
	return b
}

func (bs *blobStore) close() {
	bs.mu.Lock()
	defer bs.mu.Unlock()
	if bs.dir != "" {
		_ = os.RemoveAll(bs.dir)
		bs.dir = ""
	}
}

// dispatchBlob recognises a request to the blob target.
func dispatchBlob(r *http.Request) (dispatched, bool) {
	if !strings.HasPrefix(r.URL.Path, blobPrefix) {
		return dispatched{}, false
	}
	return dispatched{kind: kindBlob, key: r.Method + " " + blobPattern}, true
}

// serveBlob answers a request to the blob target. Errors are Azure's XML error bodies
// with x-ms-error-code, which the Azure SDK decodes.
func (s *Server) serveBlob(w http.ResponseWriter, r *http.Request) {
	bs := &s.blobs
	if r.Header.Get("Authorization") != "" {
		bs.mu.Lock()
		bs.sawAuth = true
		bs.mu.Unlock()
		writeBlobError(w, http.StatusForbidden, "AuthorizationFailure",
			"The mock blob target refuses requests with an Authorization header: the upload URL's signature is the only "+
				"credential storage takes, and an MDA credential must never be sent to it.")
		return
	}
	container, name, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, blobPrefix), "/")
	q := r.URL.Query()
	sig := q.Get("sig")
	if sig == "" {
		sig = q.Get("X-Amz-Signature")
	}
	bs.mu.Lock()
	b := bs.lookup(container, name, sig)
	bs.mu.Unlock()
	switch {
	case b == nil:
		writeBlobError(w, http.StatusForbidden, "AuthenticationFailed",
			"Server failed to authenticate the request: no upload URL with this path and signature was issued.")
		return
	case r.Method != http.MethodPut:
		writeBlobError(w, http.StatusMethodNotAllowed, "UnsupportedHttpVerb", "The mock blob target takes PUT only.")
		return
	}
	switch q.Get("comp") {
	case "":
		s.putBlob(w, r, b)
	case "block":
		s.putBlock(w, r, b, q.Get("blockid"))
	case "blocklist":
		s.putBlockList(w, r, b)
	default:
		writeBlobError(w, http.StatusBadRequest, "InvalidQueryParameterValue", fmt.Sprintf("comp=%s is not served here.", q.Get("comp")))
	}
}

// putBlob is a single PUT: Azure's Put Blob, or the one PUT of an S3 presigned URL.
func (s *Server) putBlob(w http.ResponseWriter, r *http.Request, b *mockBlob) {
	if b.info.Provider == "azure" && !strings.EqualFold(r.Header.Get("x-ms-blob-type"), "BlockBlob") {
		writeBlobError(w, http.StatusBadRequest, "MissingRequiredHeader", "An HTTP header that's mandatory for this request is not specified: x-ms-blob-type.")
		return
	}
	h := sha256.New()
	n, err := io.Copy(h, io.LimitReader(r.Body, maxSinglePut+1))
	switch {
	case err != nil:
		return // the client went away; nothing is committed
	case n > maxSinglePut:
		writeBlobError(w, http.StatusRequestEntityTooLarge, "RequestBodyTooLarge",
			"The request body is too large and exceeds the maximum permissible limit: upload files above 64 MB in blocks.")
		return
	}
	s.blobs.mu.Lock()
	b.info.Committed, b.info.Size, b.info.SHA256, b.info.Blocks = true, n, hex.EncodeToString(h.Sum(nil)), 0
	s.blobs.mu.Unlock()
	writeBlobCreated(w)
}

func (s *Server) putBlock(w http.ResponseWriter, r *http.Request, b *mockBlob, id string) {
	if _, err := base64.StdEncoding.DecodeString(id); err != nil || id == "" || len(id) > 88 {
		writeBlobError(w, http.StatusBadRequest, "InvalidQueryParameterValue", "Value for one of the query parameters specified in the request URI is invalid: blockid.")
		return
	}
	dir, err := s.blobs.tempDir()
	if err != nil {
		writeBlobError(w, http.StatusInternalServerError, "InternalError", err.Error())
		return
	}
	f, err := os.CreateTemp(dir, "block-")
	if err != nil {
		writeBlobError(w, http.StatusInternalServerError, "InternalError", err.Error())
		return
	}
	n, err := io.Copy(f, io.LimitReader(r.Body, maxBlock+1))
	_ = f.Close()
	if err != nil || n > maxBlock {
		_ = os.Remove(f.Name())
		if err == nil {
			writeBlobError(w, http.StatusRequestEntityTooLarge, "RequestBodyTooLarge", "A block may hold at most 4000 MiB.")
		}
		return
	}
	s.blobs.mu.Lock()
	if b.staged == nil {
		b.staged = map[string]stagedBlock{}
	}
	if old, ok := b.staged[id]; ok {
		_ = os.Remove(old.path) // a block sent again replaces the earlier one, as in Azure
	}
	b.staged[id] = stagedBlock{path: f.Name(), size: n}
	s.blobs.mu.Unlock()
	writeBlobCreated(w)
}

// blockList is Put Block List's body. Every block named here is uncommitted (this blob
// target commits once), so Latest, Uncommitted and Committed all name staged blocks.
type blockList struct {
	XMLName xml.Name `xml:"BlockList"`
	Blocks  []struct {
		XMLName xml.Name
		ID      string `xml:",chardata"`
	} `xml:",any"`
}

func (s *Server) putBlockList(w http.ResponseWriter, r *http.Request, b *mockBlob) {
	var list blockList
	if err := xml.NewDecoder(io.LimitReader(r.Body, maxBody)).Decode(&list); err != nil || len(list.Blocks) == 0 {
		writeBlobError(w, http.StatusBadRequest, "InvalidXmlDocument", "XML specified is not syntactically valid, or lists no block.")
		return
	}
	s.blobs.mu.Lock()
	defer s.blobs.mu.Unlock()
	files := make([]string, 0, len(list.Blocks))
	for _, blk := range list.Blocks {
		st, ok := b.staged[strings.TrimSpace(blk.ID)]
		if !ok {
			writeBlobError(w, http.StatusBadRequest, "InvalidBlockList", "The specified block list is invalid: block "+blk.ID+" was not uploaded.")
			return
		}
		files = append(files, st.path)
	}
	h := sha256.New()
	size, err := hashFiles(h, files)
	if err != nil {
		writeBlobError(w, http.StatusInternalServerError, "InternalError", err.Error())
		return
	}
	if size > maxBlobBytes {
		writeBlobError(w, http.StatusRequestEntityTooLarge, "RequestBodyTooLarge", "MDA takes files of up to 5 GB.")
		return
	}
	// Blocks left out of the list are discarded, as Azure does at commit.
	for _, st := range b.staged {
		_ = os.Remove(st.path)
	}
	b.staged = nil
	b.info.Committed, b.info.Size, b.info.SHA256, b.info.Blocks = true, size, hex.EncodeToString(h.Sum(nil)), len(list.Blocks)
	writeBlobCreated(w)
}

func hashFiles(h hash.Hash, paths []string) (int64, error) {
	var total int64
	for _, p := range paths {
		f, err := os.Open(p)
		if err != nil {
			return 0, err
		}
		n, err := io.Copy(h, f)
		_ = f.Close()
		if err != nil {
			return 0, err
		}
		total += n
	}
	return total, nil
}

func (bs *blobStore) tempDir() (string, error) {
	bs.mu.Lock()
	defer bs.mu.Unlock()
	if bs.dir == "" {
		dir, err := os.MkdirTemp("", "mda-mock-blocks-")
		if err != nil {
			return "", err
		}
		bs.dir = dir
	}
	return bs.dir, nil
}

func writeBlobCreated(w http.ResponseWriter) {
	h := w.Header()
	h.Set("ETag", `"0x`+strings.ToUpper(randomHex(8))+`"`)
	h.Set("Last-Modified", time.Now().UTC().Format(http.TimeFormat))
	h.Set("x-ms-request-id", randomHex(16))
	h.Set("x-ms-version", "2020-08-04")
	w.WriteHeader(http.StatusCreated)
}

func writeBlobError(w http.ResponseWriter, status int, code, message string) {
	w.Header().Set("Content-Type", "application/xml")
	w.Header().Set("x-ms-error-code", code)
	w.WriteHeader(status)
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="utf-8"?><Error><Code>`)
	_ = xml.EscapeText(&b, []byte(code))
	b.WriteString("</Code><Message>")
	_ = xml.EscapeText(&b, []byte(message))
	b.WriteString("</Message></Error>")
	_, _ = io.WriteString(w, b.String())
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// sanitizeBlobName keeps a filename usable as the last segment of a blob path.
func sanitizeBlobName(name string) string {
	name = filepath.Base(strings.ReplaceAll(name, "\\", "/"))
	name = strings.Map(func(r rune) rune {
		if r == '/' || r == '?' || r == '#' || r == '%' || r < ' ' {
			return '_'
		}
		return r
	}, name)
	if name == "" || name == "." || name == ".." {
		return "upload"
	}
	return name
}
