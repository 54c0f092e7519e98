package mda

import (
	"bytes"
	"testing"
	"time"
)

// FuzzAlertJSON feeds arbitrary JSON to the alert decoder, the way a listing decodes each
// item. MDA is inconsistent in places (ISO or millisecond times, "null" as a string, ids
// as numbers), so the decoder is lenient; it may refuse an alert but must never panic,
// and what it accepts must hold the invariants the data sources rely on.
func FuzzAlertJSON(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		var a Alert
		if err := decodeKeepingRaw(data, &a); err != nil {
			return
		}
		if !bytes.Equal(a.Raw, data) {
			t.Fatalf("Raw = %q, want the JSON as sent", a.Raw)
		}
		for _, s := range []string{a.ID, a.Title, a.Description, a.URL, a.Comment, a.HandledByUser} {
			if s == "null" {
				t.Fatalf("the string \"null\" was kept: %+v", a)
			}
		}
		// Without a code, the resolve time alone says open or closed.
		if a.ResolutionInferred && (a.ResolveTime != nil) != (a.Resolution == ResolutionResolved) {
			t.Fatalf("no resolutionStatusValue, resolveTime %v: resolution %d", a.ResolveTime, a.Resolution)
		}
		if a.ResolveTime != nil && a.ResolveTime.Location() != time.UTC {
			t.Fatalf("resolveTime %v is not in UTC", a.ResolveTime)
		}
	})
}
