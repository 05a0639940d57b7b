package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os/exec"
	"runtime"
	"time"

	"github.com/blastradius-go/blastradius/graph"
	"github.com/blastradius-go/blastradius/internal/web"
)

// serve: blastradius serve MODEL [--addr 127.0.0.1:8080] [--open] [--watch]
func serve(x *command, args []string) int {
	fs := x.flags("serve MODEL [--addr 127.0.0.1:8080] [--open] [--watch] [flags]")
	addr := fs.String("addr", "127.0.0.1:8080", "listen on `HOST:PORT` (port 0: any free port); anything but a loopback address is reachable from other machines")
	open := fs.Bool("open", false, "open the page in the default browser")
	watch := fs.Bool("watch", false, "read the model again whenever its file changes")
	pos, code, ok := x.setup(args, 1, nil)
	if !ok {
		return code
	}
	path := pos[0]
	if *watch && path == "-" {
		return x.usageError("--watch follows a file: standard input (-) cannot be read again")
	}
	srv, err := web.New(x.ctx, func(context.Context) (*graph.Compiled, error) {
		c, err := x.decode(path)
		if err == nil {
			releaseModel(c)
		}
		return c, err
	})
	if err != nil {
		return x.problems(path, err)
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return x.failf("--addr %s: %w", *addr, err)
	}
	local := web.IsLoopback(ln.Addr().String())
	srv.Local(local)
	if !local {
		fmt.Fprintf(x.stderr, "blastradius serve: warning: listening on %s, reachable from other machines: anyone who can reach it can read the model (use --addr 127.0.0.1:PORT for this machine only)\n", ln.Addr())
	}
	url := "http://" + pageHost(ln.Addr().(*net.TCPAddr)) + "/"
	c := srv.Compiled()
	fmt.Fprintf(x.stderr, "blastradius serve: %s: model %q, %d nodes; Ctrl-C to stop\n", url, c.Name(), c.NodeCount())

	ctx, cancel := context.WithCancel(x.ctx)
	defer cancel()
	if *watch {
		go srv.Watch(ctx, path, 500*time.Millisecond, func(err error) {
			if err != nil {
				fmt.Fprintf(x.stderr, "blastradius serve: %s changed but does not load, still showing the last good model:\n%v\n", path, err)
				return
			}
			fmt.Fprintf(x.stderr, "blastradius serve: %s reloaded\n", path)
		})
	}
	if *open {
		if err := openBrowser(url); err != nil {
			fmt.Fprintf(x.stderr, "blastradius serve: --open: %v; open %s yourself\n", err, url)
		}
	}
	hs := &http.Server{Handler: srv.Handler(), ReadHeaderTimeout: 10 * time.Second}
	done := make(chan error, 1)
	go func() { done <- hs.Serve(ln) }()
	select {
	case err := <-done:
		return x.fail(err)
	case <-x.ctx.Done():
		sctx, stop := context.WithTimeout(context.WithoutCancel(x.ctx), time.Second)
		defer stop()
		hs.Shutdown(sctx)
		if errors.Is(x.ctx.Err(), context.Canceled) {
			fmt.Fprintln(x.stderr, "blastradius serve: stopped")
		}
		return exitOK
	}
}

// pageHost is the host:port of the page's URL: an unspecified address
// (0.0.0.0, ::) is opened on this machine as localhost.
func pageHost(a *net.TCPAddr) string {
	if a.IP.IsUnspecified() {
		return fmt.Sprintf("localhost:%d", a.Port)
	}
	return a.String()
}

// openBrowser opens url in the desktop's browser.
func openBrowser(url string) error {
	var cmd *exec.Cmd
	switch runtime.GOOS {
	case "darwin":
		cmd = exec.Command("open", url)
	case "windows":
		cmd = exec.Command("rundll32", "url.dll,FileProtocolHandler", url)
	default:
		cmd = exec.Command("xdg-open", url)
	}
	return cmd.Start()
}
