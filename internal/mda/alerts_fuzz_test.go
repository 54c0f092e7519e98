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
		if a.Comment == "null" || a.HandledByUser == "null" {
			t.Fatalf("the string \"null\" was kept: comment %q, handledByUser %q", a.Comment, a.HandledByUser)
		}
		if a.ResolveTime != nil && a.ResolveTime.Location() != time.UTC {
			t.Fatalf("resolveTime %v is not in UTC", a.ResolveTime)
		}
	})
}
