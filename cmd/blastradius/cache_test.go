package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/blastradius-go/blastradius/internal/cache"
	"github.com/stretchr/testify/require"
)

// TestMain points the cache of compiled models at a directory of the
// test's own, never the user's, unless the environment already chose one
// (TestGoldensCache does, to run the golden tests cold and warm).
func TestMain(m *testing.M) {
	if os.Getenv(cache.Env) == "" {
		dir, err := os.MkdirTemp("", "blastradius-cache-test-")
		if err != nil {
			panic(err)
		}
		os.Setenv(cache.Env, dir)
		code := m.Run()
		os.RemoveAll(dir)
		os.Exit(code)
	}
	os.Exit(m.Run())
}

// goldenTests are the tests that compare the CLI's output with golden
// files.
const goldenTests = "^(TestCLI|TestCLIJSON|TestFormats|TestCheckCLI|TestCheckJUnit|TestCheckJSONOutput|TestRecoverCLI|TestRecoverCLIFor|TestRecoverCLIJSON|TestRecoverCLISVG|TestRecoverCLIDocs|TestSetup)$"

// TestGoldensCache runs the golden tests again in child processes: with
// the cache off, with an empty cache (every model decoded and stored), and
// with that cache warm (every model read from it). Each run must match
// every golden file.
func TestGoldensCache(t *testing.T) {
	if os.Getenv("BLASTRADIUS_TEST_CHILD") != "" {
		t.Skip("in a child run")
	}
	if testing.Short() {
		t.Skip("-short")
	}
	dir := t.TempDir()
	for _, run := range []struct{ name, env string }{
		{"off", "off"},
		{"cold", dir},
		{"warm", dir},
	} {
		cmd := exec.Command(os.Args[0], "-test.run", goldenTests, "-test.count", "1")
		cmd.Env = append(os.Environ(), cache.Env+"="+run.env, "BLASTRADIUS_TEST_CHILD=1")
		out, err := cmd.CombinedOutput()
		require.NoError(t, err, "%s:\n%s", run.name, out)
		entries, err := filepath.Glob(filepath.Join(dir, "*.model"))
		require.NoError(t, err)
		if run.name == "off" {
			require.Empty(t, entries, "the cache is off")
		} else {
			require.NotEmpty(t, entries, "%s: nothing cached", run.name)
		}
	}
}

// TestNoCache: --no-cache and BLASTRADIUS_CACHE=off leave the cache alone,
// a model is cached otherwise, and a cache that cannot be used is reported
// once while the command still runs.
func TestNoCache(t *testing.T) {
	dir := t.TempDir()
	model := "../../testdata/kakao-2022.yaml"
	count := func() int {
		m, err := filepath.Glob(filepath.Join(dir, "*.model"))
		require.NoError(t, err)
		return len(m)
	}
	t.Setenv(cache.Env, dir)
	code, _, errOut := runCLI("validate", "--no-cache", model)
	require.Equal(t, 0, code, errOut)
	require.Equal(t, 0, count())
	t.Setenv(cache.Env, "off")
	code, _, errOut = runCLI("validate", model)
	require.Equal(t, 0, code, errOut)
	require.Equal(t, 0, count())
	t.Setenv(cache.Env, dir)
	code, warm, errOut := runCLI("validate", model, model)
	require.Equal(t, 0, code, errOut)
	require.Equal(t, 1, count())
	code, cold, _ := runCLI("validate", "--no-cache", model, model)
	require.Equal(t, 0, code)
	require.Equal(t, cold, warm)

	t.Setenv(cache.Env, "relative")
	code, out, errOut := runCLI("validate", model, model)
	require.Equal(t, 0, code)
	require.Equal(t, cold, out)
	require.Equal(t, "blastradius validate: BLASTRADIUS_CACHE=relative: want an absolute directory, or off; running without the cache\n", errOut)
}
