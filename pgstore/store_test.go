package pgstore_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"flag"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/routedesk/routedesk/assign"
	"github.com/routedesk/routedesk/inbox"
	"github.com/routedesk/routedesk/inbox/storetest"
	"github.com/routedesk/routedesk/pgstore"
)

// urlVar names the environment variable that gives the tests their
// database.
const urlVar = "ROUTEDESK_PG_URL"

var (
	poolOnce sync.Once
	pool     *pgxpool.Pool
	poolErr  error
	// schemaPrefix keeps the schemas of this test process apart from those
	// of any other on the same server.
	schemaPrefix = func() string {
		var b [4]byte
		_, _ = rand.Read(b[:])
		return "test_" + hex.EncodeToString(b[:]) + "_"
	}()
	schemas atomic.Int64
)

// testPool returns the pool of the tests' database. Without one it skips the
// test, or fails it when CI=true.
func testPool(t testing.TB) *pgxpool.Pool {
	t.Helper()
	url := os.Getenv(urlVar)
	if url == "" {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is not set, and CI=true: pgstore's tests need PostgreSQL (make test starts one)", urlVar)
		}
		t.Skipf("%s is not set: no PostgreSQL to test against (make test starts a throwaway one; or set it to a database URL)", urlVar)
	}
	poolOnce.Do(func() {
		cfg, err := pxgConfig(url)
		if err != nil {
			poolErr = err
			return
		}
		pool, poolErr = pgxpool.NewWithConfig(context.Background(), cfg)
	})
	if poolErr != nil {
		t.Fatalf("connect to %s: %v", urlVar, poolErr)
	}
	return pool
}

func pxgConfig(url string) (*pgxpool.Config, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, err
	}
	cfg.MaxConns = 40
	return cfg, nil
}

// newSchema migrates a new schema for one test, dropped when the test ends,
// and returns its name.
func newSchema(t testing.TB) string {
	t.Helper()
	p := testPool(t)
	name := fmt.Sprintf("%s%d", schemaPrefix, schemas.Add(1))
	if err := pgstore.Migrate(context.Background(), p, pgstore.WithSchema(name)); err != nil {
		t.Fatalf("Migrate: %v", err)
	}
	t.Cleanup(func() {
		if _, err := p.Exec(context.Background(), `DROP SCHEMA "`+name+`" CASCADE`); err != nil {
			t.Errorf("drop schema %s: %v", name, err)
		}
	})
	return name
}

// newStore returns a Store in a new schema.
func newStore(t testing.TB, opts ...pgstore.Option) *pgstore.Store {
	t.Helper()
	s, err := pgstore.New(testPool(t), append([]pgstore.Option{pgstore.WithSchema(newSchema(t))}, opts...)...)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return s
}

func TestConformance(t *testing.T) {
	testPool(t)
	storetest.Run(t, func(t *testing.T) inbox.Store { return newStore(t) })
}

// TestMain runs storetest's model with 20 rapid checks, not 100, unless
// -rapid.checks says otherwise: every step of the model reads the whole
// inbox back, a round trip per read, and 100 checks take half a minute here.
func TestMain(m *testing.M) {
	flag.Parse()
	set := false
	flag.Visit(func(f *flag.Flag) { set = set || f.Name == "rapid.checks" })
	if !set {
		if err := flag.Set("rapid.checks", "20"); err != nil {
			panic(err)
		}
	}
	code := m.Run()
	if pool != nil {
		pool.Close()
	}
	os.Exit(code)
}

// roundRobinInbox returns a new inbox of s with round robin on and the given
// number of agents online, a0, a1…
func roundRobinInbox(t testing.TB, s inbox.Store, id string, agents int) *inbox.Inbox {
	t.Helper()
	ctx := context.Background()
	ib, err := inbox.New(s, id)
	if err != nil {
		t.Fatal(err)
	}
	for i := range agents {
		a := inbox.Actor{ID: fmt.Sprint("a", i), Role: inbox.Support}
		if err := ib.PutMember(ctx, inbox.Member{ID: a.ID, Name: a.ID, Role: a.Role}); err != nil {
			t.Fatal(err)
		}
		if err := ib.SetPresence(ctx, a, a.ID, assign.Online); err != nil {
			t.Fatal(err)
		}
	}
	on := true
	if _, err := ib.UpdateSettings(ctx, inbox.Actor{ID: "a0", Role: inbox.Owner}, inbox.SettingsPatch{RoundRobin: &on}); err != nil {
		t.Fatal(err)
	}
	return ib
}
