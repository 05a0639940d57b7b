package export

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"strings"
)

// ImageFormat is an image format Graphviz renders DOT to.
type ImageFormat string

// The image formats Render makes.
const (
	SVG ImageFormat = "svg"
	PNG ImageFormat = "png"
)

// ErrNoGraphviz is returned by Render when Graphviz's dot program is not on
// the PATH.
var ErrNoGraphviz = errors.New("graphviz's dot program is not on PATH: install Graphviz (Debian and Ubuntu: apt-get install graphviz; macOS: brew install graphviz)")

// Render runs Graphviz's dot program on the DOT source src (as DOT writes
// it) and writes the image to w. It returns ErrNoGraphviz (wrapped) when
// dot is not installed, and dot's own message when it fails. Cancelling ctx
// stops dot.
func Render(ctx context.Context, w io.Writer, src io.Reader, f ImageFormat) error {
	if f != SVG && f != PNG {
		return fmt.Errorf("unknown image format %q (want svg or png)", string(f))
	}
	path, err := exec.LookPath("dot")
	if err != nil {
		return fmt.Errorf("render %s: %w", f, ErrNoGraphviz)
	}
	cmd := exec.CommandContext(ctx, path, "-T"+string(f))
	cmd.Stdin = src
	cmd.Stdout = w
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		if msg := strings.TrimSpace(stderr.String()); msg != "" {
			return fmt.Errorf("render %s: graphviz dot: %v: %s", f, err, msg)
		}
		return fmt.Errorf("render %s: graphviz dot: %w", f, err)
	}
	return nil
}
