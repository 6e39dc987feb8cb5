package main

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/uptrace/bun"
)

// The PostgreSQL server runs its queries in its own processes: CPU time
// of this process leaves most of a search out. The server is on this
// machine (loopback), so the backends serving this database are read
// from /proc: user and system time of each, in clock ticks (100 a
// second on Linux).

const clockTicks = 100

// pgBackendCPU returns the CPU time of each backend process serving the
// current database, by process id.
func pgBackendCPU(ctx context.Context, db *bun.DB) (map[int]time.Duration, error) {
	var pids []int
	if err := db.NewRaw("SELECT pid FROM pg_stat_activity WHERE datname = current_database()").Scan(ctx, &pids); err != nil {
		return nil, fmt.Errorf("postgres backends: %w", err)
	}
	out := map[int]time.Duration{}
	for _, pid := range pids {
		raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if err != nil {
			continue // gone, or a server on another machine
		}
		// Fields after the command (in parentheses, which may hold spaces).
		rest := string(raw[strings.LastIndexByte(string(raw), ')')+2:])
		f := strings.Fields(rest)
		if len(f) < 13 {
			continue
		}
		utime, err1 := strconv.ParseInt(f[11], 10, 64)
		stime, err2 := strconv.ParseInt(f[12], 10, 64)
		if err1 != nil || err2 != nil {
			continue
		}
		out[pid] = time.Duration(utime+stime) * time.Second / clockTicks
	}
	return out, nil
}

// pgCPUSince is the CPU the backends spent since before (those that
// ended in between are not counted: the pool keeps its connections).
func pgCPUSince(ctx context.Context, db *bun.DB, before map[int]time.Duration) (time.Duration, error) {
	after, err := pgBackendCPU(ctx, db)
	if err != nil {
		return 0, err
	}
	var d time.Duration
	for pid, t := range after {
		d += t - before[pid]
	}
	return d, nil
}
