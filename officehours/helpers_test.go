package officehours_test

import (
	"go/build"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
	_ "time/tzdata" // zones come with the test binary where the machine has none

	"github.com/routedesk/routedesk/officehours"
)

// TestMain points time.LoadLocation, which prefers the machine's zone
// database to the embedded one, at Go's own copy of the data time/tzdata
// embeds, so that the tests see the same rules on every machine.
func TestMain(m *testing.M) {
	if zip := filepath.Join(build.Default.GOROOT, "lib", "time", "zoneinfo.zip"); build.Default.GOROOT != "" {
		if _, err := os.Stat(zip); err == nil {
			os.Setenv("ZONEINFO", zip)
		}
	}
	os.Exit(m.Run())
}

// zones caches loaded zones: loading one from Go's zip reads the zip.
var zones sync.Map // name → *time.Location

// loadZone returns the named zone, loading it once.
func loadZone(name string) (*time.Location, error) {
	if loc, ok := zones.Load(name); ok {
		return loc.(*time.Location), nil
	}
	loc, err := time.LoadLocation(name)
	if err == nil {
		zones.Store(name, loc)
	}
	return loc, err
}

// load returns the named zone or stops the test.
func load(t testing.TB, name string) *time.Location {
	t.Helper()
	loc, err := loadZone(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// spans parses "09:00-12:00,22:00-02:00" (empty: no spans).
func spans(t testing.TB, text string) []officehours.Span {
	t.Helper()
	var out []officehours.Span
	for _, part := range strings.Split(text, ",") {
		if part == "" {
			continue
		}
		start, end, ok := strings.Cut(part, "-")
		var sp officehours.Span
		if !ok || sp.Start.UnmarshalText([]byte(start)) != nil || sp.End.UnmarshalText([]byte(end)) != nil {
			t.Fatalf("bad span %q", part)
		}
		out = append(out, sp)
	}
	return out
}

// week builds a Week from spans texts by weekday.
func week(t testing.TB, days map[time.Weekday]string) officehours.Week {
	t.Helper()
	var w officehours.Week
	for d, text := range days {
		w[d] = spans(t, text)
	}
	return w
}

// instant parses an RFC 3339 time or stops the test.
func instant(t testing.TB, text string) time.Time {
	t.Helper()
	v, err := time.Parse(time.RFC3339, text)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

const layout = "2006-01-02 15:04 -07:00"

// intervals lists the open intervals that start in [from, to), found with
// NextOpen and NextClose, as "start – end" in the schedule's zone.
func intervals(t testing.TB, s *officehours.Schedule, from, to time.Time) []string {
	t.Helper()
	var out []string
	for at := from; ; {
		open, ok := s.NextOpen(at)
		if !ok || !open.Before(to) {
			return out
		}
		end, ok := s.NextClose(open)
		if !ok {
			return append(out, open.In(s.Location()).Format(layout)+" – never")
		}
		if !end.After(open) {
			t.Fatalf("NextClose(%v) = %v, not after it", open, end)
		}
		out = append(out, open.In(s.Location()).Format(layout)+" – "+end.Format(layout))
		at = end
	}
}
