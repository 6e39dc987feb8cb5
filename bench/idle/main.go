// Command idle measures the resident memory of an idle node (issue 5,
// benchmark 5, first half).
//
// It builds the agora binary (go build ./cmd/agora; -bin uses a built one),
// starts `agora serve` as a child process on 127.0.0.1 with SQLite in a
// temporary directory, waits until /healthz answers, fetches the home page
// once, lets the node sit idle for -settle, and reads VmRSS (and the peak,
// VmHWM) from /proc/<pid>/status: the memory the operating system gives
// the whole process, runtime and SQLite included, which only a separate
// process shows honestly. Target: VmRSS ≤ 60 MB. Linux only.
//
//	go run ./bench/idle [-settle 5s] [-bin path/to/agora]
package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/metropolis/agora/bench/internal/serving"
)

func main() {
	bin := flag.String("bin", "", "agora binary to run (default: build ./cmd/agora into a temporary directory)")
	settle := flag.Duration("settle", 5*time.Second, "idle time before reading the memory figures")
	flag.Parse()
	ctx := context.Background()

	dir, err := os.MkdirTemp("", "agora-idle-")
	if err != nil {
		serving.Fatal("temp dir", err)
	}
	defer os.RemoveAll(dir)
	if *bin == "" {
		*bin = filepath.Join(dir, "agora")
		build := exec.Command("go", "build", "-o", *bin, "./cmd/agora")
		build.Stdout, build.Stderr = os.Stdout, os.Stderr
		if err := build.Run(); err != nil {
			serving.Fatal("go build ./cmd/agora (run from the repository root, or pass -bin)", err)
		}
	}
	addr, err := freeAddr()
	if err != nil {
		serving.Fatal("free port", err)
	}
	cmd := exec.CommandContext(ctx, *bin, "serve", "--listen", addr, "--data", filepath.Join(dir, "data"))
	cmd.Stdout, cmd.Stderr = io.Discard, io.Discard
	if err := cmd.Start(); err != nil {
		serving.Fatal("start agora serve", err)
	}
	defer func() {
		_ = cmd.Process.Signal(os.Interrupt)
		_ = cmd.Wait()
	}()
	base := "http://" + addr
	t0 := time.Now()
	if err := waitHealthy(base, 30*time.Second); err != nil {
		serving.Fatal("agora serve", err)
	}
	fmt.Printf("agora serve (pid %d) answered after %v\n", cmd.Process.Pid, time.Since(t0).Round(time.Millisecond))
	if resp, err := http.Get(base + "/"); err == nil {
		_, _ = io.Copy(io.Discard, resp.Body)
		_ = resp.Body.Close()
	}
	time.Sleep(*settle)
	st, err := procStatus(cmd.Process.Pid)
	if err != nil {
		serving.Fatal("read /proc", err)
	}
	fmt.Printf("after %v idle: VmRSS %.1f MB, VmHWM %.1f MB, threads %.0f\n", *settle, st["VmRSS"], st["VmHWM"], st["Threads"])
	serving.Report("idle", "resident memory of an idle node (VmRSS)", st["VmRSS"], 60, "MB", false)
	serving.Info("idle", "peak resident memory since start (VmHWM)", st["VmHWM"], "MB")
}

func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

func waitHealthy(base string, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for {
		resp, err := http.Get(base + "/healthz")
		if err == nil {
			_ = resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("no healthy answer within %v (last error: %v)", limit, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// procStatus reads the kB figures of /proc/<pid>/status as MB.
func procStatus(pid int) (map[string]float64, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	out := map[string]float64{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			continue
		}
		fields := strings.Fields(v)
		if len(fields) == 0 {
			continue
		}
		n, err := strconv.ParseFloat(fields[0], 64)
		if err != nil {
			continue
		}
		if len(fields) == 2 && fields[1] == "kB" {
			n /= 1024
		}
		out[k] = n
	}
	return out, sc.Err()
}
