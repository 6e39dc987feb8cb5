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
// of this process leaves most of a search, and the index's writes, out.
// The server is on this machine (loopback), so the backends serving this
// database are read from /proc: their time on a CPU in nanoseconds
// (schedstat), or, on a kernel without it, their user and system time in
// clock ticks (stat: 100 a second, too coarse for a round of 20 writes).

const clockTicks = 100

// procCPU is the CPU time process pid has used; false when it is gone
// (or the server is on another machine).
func procCPU(pid int) (time.Duration, bool) {
	if raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/schedstat", pid)); err == nil {
		if f := strings.Fields(string(raw)); len(f) > 0 {
			if ns, err := strconv.ParseInt(f[0], 10, 64); err == nil {
				return time.Duration(ns), true
			}
		}
	}
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, false
	}
	// Fields after the command (in parentheses, which may hold spaces).
	rest := string(raw[strings.LastIndexByte(string(raw), ')')+2:])
	f := strings.Fields(rest)
	if len(f) < 13 {
		return 0, false
	}
	utime, err1 := strconv.ParseInt(f[11], 10, 64)
	stime, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, false
	}
	return time.Duration(utime+stime) * time.Second / clockTicks, true
}

// pgBackendCPU returns the CPU time of each backend process serving the
// current database, by process id.
func pgBackendCPU(ctx context.Context, db *bun.DB) (map[int]time.Duration, error) {
	var pids []int
	if err := db.NewRaw("SELECT pid FROM pg_stat_activity WHERE datname = current_database()").Scan(ctx, &pids); err != nil {
		return nil, fmt.Errorf("postgres backends: %w", err)
	}
	out := map[int]time.Duration{}
	for _, pid := range pids {
		if t, ok := procCPU(pid); ok {
			out[pid] = t
		}
	}
	return out, nil
}

// pgCPUSince is the CPU the backends spent since before: those of before
// are read first, so the query listing the backends is not counted;
// then the whole CPU of backends started since (those that ended in
// between are not counted: the pool keeps its connections).
func pgCPUSince(ctx context.Context, db *bun.DB, before map[int]time.Duration) (time.Duration, error) {
	var d time.Duration
	for pid, t0 := range before {
		if t, ok := procCPU(pid); ok {
			d += t - t0
		}
	}
	after, err := pgBackendCPU(ctx, db)
	if err != nil {
		return 0, err
	}
	for pid, t := range after {
		if _, ok := before[pid]; !ok {
			d += t
		}
	}
	return d, nil
}
