package mda

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/gofrs/flock"
)

// windowLockTimeout bounds the wait for the window file's lock. A holder that is stuck (a
// process stopped in a debugger, a network file system that never answers) must not stall
// every request: past it, update fails and the limiter goes on with this process's own
// window, saying so in the log.
var windowLockTimeout = 5 * time.Second

// windowLockRetry is how often a held lock is tried again.
const windowLockRetry = 10 * time.Millisecond

// windowFile is the limiter's memory across processes: one small JSON file per portal,
// holding the start times of requests still inside the window, keyed by the limiter
// instance that made them, and any 429 penalty. Every read-modify-write holds an
// exclusive lock on a lock file beside it (gofrs/flock: flock on unix, LockFileEx on
// Windows). The lock is a file of its own because a Windows lock bars every other
// handle, this process's own included, from the locked bytes.
type windowFile struct {
	path string
	id   string // this limiter instance's key in the file
}

// windowState is the file's content.
type windowState struct {
	Version      int                `json:"v"`
	Requests     map[string][]int64 `json:"requests,omitempty"` // instance -> unix nanoseconds
	PenaltyUntil int64              `json:"penalty_until,omitempty"`
}

const windowStateVersion = 1

// newWindowFile names the file for a portal under dir; the portal URL is hashed so the
// name is safe on every file system and says nothing about the tenant.
func newWindowFile(dir, portalURL string) *windowFile {
	sum := sha256.Sum256([]byte(windowKey(portalURL)))
	var id [8]byte
	_, _ = rand.Read(id[:])
	return &windowFile{
		path: filepath.Join(dir, "mda-window-"+hex.EncodeToString(sum[:8])+".json"),
		id:   hex.EncodeToString(id[:]),
	}
}

// windowKey normalises a portal URL so that spellings of one portal share one file.
func windowKey(portalURL string) string {
	u, err := url.Parse(portalURL)
	if err != nil {
		return portalURL
	}
	return strings.ToLower(u.Scheme) + "://" + strings.ToLower(u.Host) + strings.TrimRight(u.Path, "/")
}

// update reads the state under the lock, lets fn change it, and writes it back.
func (f *windowFile) update(clock Clock, fn func(*windowState)) error {
	if err := os.MkdirAll(filepath.Dir(f.path), 0o700); err != nil {
		return err
	}
	lock := flock.New(f.path+".lock", flock.SetPermissions(0o600))
	ctx, cancel := context.WithTimeout(context.Background(), windowLockTimeout)
	defer cancel()
	locked, err := lock.TryLockContext(ctx, windowLockRetry)
	if !locked {
		return fmt.Errorf("locking %s (waited up to %s): %w", lock.Path(), windowLockTimeout, err)
	}
	defer func() { _ = lock.Unlock() }()
	file, err := os.OpenFile(f.path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return err
	}
	defer func() { _ = file.Close() }()

	data, err := io.ReadAll(io.LimitReader(file, 1<<20))
	if err != nil {
		return err
	}
	var st windowState
	// A torn or foreign file is not worth failing over: start again from an empty window.
	if len(data) > 0 && (json.Unmarshal(data, &st) != nil || st.Version != windowStateVersion) {
		st = windowState{}
	}
	st.Version = windowStateVersion
	fn(&st)
	st.prune(clock.Now())
	out, err := json.Marshal(&st)
	if err != nil {
		return err
	}
	if err := file.Truncate(0); err != nil {
		return err
	}
	_, err = file.WriteAt(out, 0)
	return err
}

// others returns the requests other instances recorded that are still in the window
// ending at now, oldest first.
func (s *windowState) others(self string, now time.Time) []time.Time {
	var out []time.Time
	for id, stamps := range s.Requests {
		if id == self {
			continue
		}
		for _, ns := range stamps {
			if t := time.Unix(0, ns); t.Add(window).After(now) {
				out = append(out, t)
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Before(out[j]) })
	return out
}

// set records this instance's requests and penalty.
func (s *windowState) set(self string, stamps []time.Time, penaltyUntil time.Time, now time.Time) {
	if s.Requests == nil {
		s.Requests = map[string][]int64{}
	}
	ns := make([]int64, 0, len(stamps))
	for _, t := range stamps {
		ns = append(ns, t.UnixNano())
	}
	s.Requests[self] = ns
	if p := penaltyUntil.UnixNano(); penaltyUntil.After(now) && p > s.PenaltyUntil {
		s.PenaltyUntil = p
	}
}

// prune keeps the file tiny: only requests still in the window and a live penalty.
func (s *windowState) prune(now time.Time) {
	for id, stamps := range s.Requests {
		kept := stamps[:0]
		for _, ns := range stamps {
			if time.Unix(0, ns).Add(window).After(now) {
				kept = append(kept, ns)
			}
		}
		if len(kept) == 0 {
			delete(s.Requests, id)
		} else {
			s.Requests[id] = kept
		}
	}
	if s.PenaltyUntil != 0 && !time.Unix(0, s.PenaltyUntil).After(now) {
		s.PenaltyUntil = 0
	}
}
