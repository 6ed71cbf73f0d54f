package pgstore_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

// Where a test finds the throwaway server to restart. testdb.sh does not
// export these yet; without them the test derives them from the server it
// starts (the socket folder named in the URL holds the data folder).
const (
	dataVar   = "ROUTEDESK_PG_DATA"   // the server's data folder
	bindirVar = "ROUTEDESK_PG_BINDIR" // the folder of pg_ctl
)

// restarter returns a function that restarts the test server, or why the
// server cannot be restarted: only a throwaway server of testdb.sh (or one
// named by ROUTEDESK_PG_DATA) is ever restarted.
func restarter(t *testing.T) (restart func() error, why string) {
	t.Helper()
	data := os.Getenv(dataVar)
	if data == "" {
		cfg, err := pgxpool.ParseConfig(os.Getenv(urlVar))
		if err != nil {
			return nil, err.Error()
		}
		host := cfg.ConnConfig.Host
		if !strings.HasPrefix(host, "/") || !strings.HasPrefix(filepath.Base(host), "routedesk-pg.") {
			return nil, fmt.Sprintf("%s is not set and %s names no server of testdb.sh (host %q)", dataVar, urlVar, host)
		}
		data = filepath.Join(host, "data")
	}
	var actual string
	if err := testPool(t).QueryRow(context.Background(), "SHOW data_directory").Scan(&actual); err != nil || actual != data {
		return nil, fmt.Sprintf("the server's data folder is %q (%v), not %s", actual, err, data)
	}
	bindir := os.Getenv(bindirVar)
	if bindir == "" {
		out, err := exec.Command("./testdb.sh", "--bindir").Output()
		if err != nil {
			return nil, fmt.Sprintf("%s is not set and testdb.sh --bindir failed: %v", bindirVar, err)
		}
		bindir = strings.TrimSpace(string(out))
	}
	args := []string{filepath.Join(bindir, "pg_ctl"), "-D", data, "-m", "fast", "-w", "-t", "60",
		"-l", filepath.Join(data, "restart.log"), "restart"}
	if os.Geteuid() == 0 { // as testdb.sh: the server runs as postgres
		args = append([]string{"runuser", "-u", "postgres", "--"}, args...)
	}
	return func() error {
		var out bytes.Buffer
		cmd := exec.Command(args[0], args[1:]...)
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Run(); err != nil {
			return fmt.Errorf("%s: %v\n%s", strings.Join(args, " "), err, out.String())
		}
		return nil
	}, ""
}

// terminated is a backend the fault injector ended, and when.
type terminated struct {
	at      time.Time
	process int
}

// terminator ends a random backend of the run's workers every interval
// until ctx ends, and returns what it ended.
func (r *replicaRun) terminator(ctx context.Context, interval time.Duration) []terminated {
	var ended []terminated
	prefix := appName(r.configs[0].Schema, 0)
	prefix = prefix[:len(prefix)-1]
	for {
		select {
		case <-ctx.Done():
			return ended
		case <-time.After(interval):
		}
		var app string
		var ok bool
		at := time.Now()
		err := testPool(r.t).QueryRow(ctx, `SELECT application_name, pg_terminate_backend(pid) FROM pg_stat_activity
			WHERE application_name LIKE $1 || '%' AND pid <> pg_backend_pid() ORDER BY random() LIMIT 1`, prefix).Scan(&app, &ok)
		if err != nil || !ok { // no backend, or the server is restarting
			continue
		}
		var p int
		if _, err := fmt.Sscan(strings.TrimPrefix(app, prefix), &p); err == nil {
			ended = append(ended, terminated{at, p})
		}
	}
}

// progress counts the messages each worker logged as received.
func (r *replicaRun) progress() []int {
	n := make([]int, len(r.configs))
	for i, cfg := range r.configs {
		recs, _ := readRecords(cfg.Record) // a line being written is read next time
		for _, rec := range recs {
			if rec.Op == "msg" {
				n[i]++
			}
		}
	}
	return n
}

// TestReplicaFaults is TestReplicas with faults: worker 0 is killed with
// SIGKILL a third of the way through its messages, a random backend of the
// workers is terminated (pg_terminate_backend) every 100 ms, and the server
// is restarted once (pg_ctl restart) when half the messages are in. The
// same checks hold, counting of the killed worker only what it logged, and
// the test logs how long each fault took to recover from: the time from the
// fault to the end of the next successful write of the process hit (any
// process, for the restart).
func TestReplicaFaults(t *testing.T) {
	r := newReplicaRun(t, 300)
	restart, why := restarter(t)
	if restart == nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("cannot restart the server, and CI=true: %s", why)
		}
		t.Logf("SKIPPING the server restart: %s", why)
	}
	const victim = 0
	perProcess := replicaCustomers * r.configs[0].Messages
	r.start()

	ctx, stop := context.WithCancel(context.Background())
	var ended []terminated
	var wg sync.WaitGroup
	wg.Go(func() { ended = r.terminator(ctx, 100*time.Millisecond) })
	var killedAt, restartBegan, restartEnded time.Time
	deadline := time.Now().Add(2 * time.Minute)
	for killedAt.IsZero() || (restart != nil && restartEnded.IsZero()) {
		if time.Now().After(deadline) {
			t.Fatal("the workers made too little progress for the faults in two minutes")
		}
		time.Sleep(20 * time.Millisecond)
		n := r.progress()
		if killedAt.IsZero() && n[victim] >= perProcess/3 {
			r.must(r.cmds[victim].Process.Kill())
			killedAt = time.Now()
		}
		total := 0
		for _, k := range n {
			total += k
		}
		if restart != nil && restartEnded.IsZero() && total >= perProcess*len(r.configs)/2 {
			restartBegan = time.Now()
			r.must(restart())
			restartEnded = time.Now()
			testPool(t).Reset() // its connections died with the server
		}
	}
	killed := map[int]bool{victim: true}
	r.wait(killed)
	stop()
	wg.Wait()
	if st := r.cmds[victim].ProcessState; st.Success() || !strings.Contains(st.String(), "killed") {
		t.Fatalf("worker %d ended %s, want killed", victim, st)
	}
	testPool(t).Reset()
	stats := r.check(killed)
	t.Logf("%s", stats)

	// The end of every successful write, per process.
	writes := make([][]time.Time, len(r.configs))
	for i, cfg := range r.configs {
		recs, err := readRecords(cfg.Record)
		r.must(err)
		for _, rec := range recs {
			if rec.Op != "error" && !rec.Already {
				writes[i] = append(writes[i], rec.After)
			}
		}
		slices.SortFunc(writes[i], time.Time.Compare)
	}
	// next returns how long after at process p (any, when -1) next
	// finished a write.
	next := func(p int, at time.Time) (time.Duration, bool) {
		best := time.Duration(-1)
		for i, w := range writes {
			if p >= 0 && i != p {
				continue
			}
			if k, _ := slices.BinarySearchFunc(w, at, time.Time.Compare); k < len(w) && (best < 0 || w[k].Sub(at) < best) {
				best = w[k].Sub(at)
			}
		}
		return best, best >= 0
	}
	var recoveries []time.Duration
	for _, e := range ended {
		if d, ok := next(e.process, e.at); ok && !killed[e.process] {
			recoveries = append(recoveries, d)
		}
	}
	if len(recoveries) < 10 {
		t.Fatalf("%d backends of live workers terminated, want at least 10", len(recoveries))
	}
	slices.Sort(recoveries)
	t.Logf("%d backends terminated: next write of the process hit after %s (median), %s (max)",
		len(ended), recoveries[len(recoveries)/2], recoveries[len(recoveries)-1])
	if restart != nil {
		d, ok := next(-1, restartEnded)
		if !ok {
			t.Fatal("no write after the server restarted")
		}
		t.Logf("server restart: pg_ctl restart took %s; the first write after it ended %s after the restart began",
			restartEnded.Sub(restartBegan), restartEnded.Sub(restartBegan)+d)
	}
}
