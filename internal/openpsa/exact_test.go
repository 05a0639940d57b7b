package openpsa_test

import (
	"bytes"
	"context"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/blastradius-go/blastradius/graph"
	"github.com/blastradius-go/blastradius/internal/openpsa"
	"github.com/blastradius-go/blastradius/internal/synth"
)

// The reports of testdata/report-tree.xml (top = e1 or (e2 and e3)) that
// SCRAM 0.16.2 wrote with --bdd --probability true --importance true, as
// Debian builds it and with the patched library.
func reports(t testing.TB) (plain, exact []byte) {
	plain, err := os.ReadFile("testdata/report-plain.xml")
	require.NoError(t, err)
	exact, err = os.ReadFile("testdata/report-exact.xml")
	require.NoError(t, err)
	return plain, exact
}

// SameDigits accepts the two reports of one run, whatever their dates and
// calculation times, and refuses a number that does not round to SCRAM's,
// a decimal number in the exact report, and any other change.
func TestSameDigits(t *testing.T) {
	plain, exact := reports(t)
	require.NoError(t, openpsa.SameDigits(plain, exact))
	r, err := openpsa.ParseReport(exact, "top")
	require.NoError(t, err)
	require.Equal(t, 1-0.9*(1-0.2*0.3), r.Probability, "the exact probability is the double nearest 0.154")

	// The top's probability 0.154 one ulp away still rounds to 0.154; a
	// hundred-thousandth away it does not.
	near := bytes.Replace(exact, []byte(`probability="0x1.3b645a1cac083p-3"`), []byte(`probability="0x1.3b645a1cac084p-3"`), 1)
	require.NoError(t, openpsa.SameDigits(plain, near))
	far := bytes.Replace(exact, []byte(`probability="0x1.3b645a1cac083p-3"`), []byte(`probability="`+strconv.FormatFloat(0.154*(1+1e-5), 'x', -1, 64)+`"`), 1)
	require.ErrorContains(t, openpsa.SameDigits(plain, far), `differs from SCRAM's at line 35`)

	decimal := bytes.Replace(exact, []byte(`MIF="0x1.e147ae147ae14p-1"`), []byte(`MIF="0.94"`), 1)
	require.ErrorContains(t, openpsa.SameDigits(plain, decimal), `MIF="0.94" is not hexadecimal`)
	require.ErrorContains(t, openpsa.SameDigits(plain, plain), "is not hexadecimal")

	renamed := bytes.Replace(exact, []byte(`name="e3"/>`), []byte(`name="e4"/>`), 1)
	require.ErrorContains(t, openpsa.SameDigits(plain, renamed), "line 38")
	longer := append(bytes.Clone(exact), '\n')
	require.ErrorContains(t, openpsa.SameDigits(plain, longer), "lines once written back")
	_, err = openpsa.ParseReport(exact[:len(exact)/2], "top")
	require.ErrorContains(t, openpsa.SameDigits(plain, exact[:len(exact)/2]), err.Error())

	later := bytes.Replace(exact, []byte("<time>2026-12-01T17:39:08</time>"), []byte("<time>2027-01-01T00:00:00</time>"), 1)
	require.NoError(t, openpsa.SameDigits(plain, later))
}

// An exact run of SCRAM writes the report SCRAM writes, with every number
// in full: on the Kakao model's kakao-games, the reports agree to 6
// digits, the exact probability is within SCRAM's rounding of the printed
// one, and the library the program loads is left as it was. A copy of
// the library that is not patched makes the exact run fail.
func TestExactRun(t *testing.T) {
	requireScram(t)
	ctx := context.Background()
	ex, err := openpsa.NewExact(t.TempDir())
	require.NoError(t, err)
	m, err := graph.Load("../../testdata/kakao-2022.yaml")
	require.NoError(t, err)
	c, err := graph.Compile(m)
	require.NoError(t, err)
	tv, _ := c.Lookup("kakao-games")
	tr, err := openpsa.Convert(c, tv, openpsa.Options{Probability: func(v int32) float64 { return 0.001 * float64(1+v%7) }})
	require.NoError(t, err)
	opts := openpsa.RunOptions{Probability: true, Args: []string{"--importance", "true"}}
	plain, err := openpsa.Run(ctx, tr, opts)
	require.NoError(t, err)
	opts.Exact = ex
	exact, err := openpsa.Run(ctx, tr, opts)
	require.NoError(t, err)
	require.NoError(t, openpsa.SameDigits(plain.XML, exact.XML))
	require.Equal(t, plain.CutSets, exact.CutSets)
	require.InEpsilon(t, exact.Probability, plain.Probability, openpsa.ReportTolerance)
	require.Equal(t, strconv.FormatFloat(exact.Probability, 'g', 6, 64), strconv.FormatFloat(plain.Probability, 'g', -1, 64))
	require.Contains(t, string(exact.XML), `probability="0x`)

	orig, err := os.ReadFile(ex.Original)
	require.NoError(t, err)
	copied, err := os.ReadFile(filepath.Join(ex.Dir, "libscram.so"))
	require.NoError(t, err)
	require.Equal(t, len(orig), len(copied))
	var differ []int64
	for i := range orig {
		if orig[i] != copied[i] {
			differ = append(differ, int64(i))
		}
	}
	require.Equal(t, []int64{ex.Offset + 1}, differ, "the copy differs from the library only in the format's letter")
	require.Equal(t, "%g\x00", string(orig[ex.Offset:ex.Offset+3]), "the installed library is unchanged")
	require.Equal(t, "%a\x00", string(copied[ex.Offset:ex.Offset+3]))

	// A directory that holds the library unpatched: the run is refused.
	unpatched := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(unpatched, "libscram.so"), orig, 0o644))
	_, err = openpsa.Run(ctx, tr, openpsa.RunOptions{Probability: true, Exact: &openpsa.Exact{Dir: unpatched}})
	require.ErrorContains(t, err, "is not hexadecimal: the patched libscram.so was not used")
}

// SameDigits never panics on what two report files may hold.
func FuzzSameDigits(f *testing.F) {
	plain, exact := reports(f)
	f.Add(plain, exact)
	f.Add(plain, plain)
	f.Add([]byte(`<report><results><sum-of-products probability="0.1"/></results></report>`),
		[]byte(`<report><results><sum-of-products probability="0x1.999999999999ap-4"/></results></report>`))
	f.Add([]byte(`<a>`), []byte(`<b x="0x1p+0">0x1p+99999</b>`))
	f.Fuzz(func(t *testing.T, plain, exact []byte) {
		if openpsa.SameDigits(plain, exact) != nil {
			return
		}
		// Accepted: the exact report holds a number, written as the
		// patched library writes one.
		if !bytes.Contains(exact, []byte("0x")) && !bytes.Contains(exact, []byte("inf")) && !bytes.Contains(exact, []byte("nan")) {
			t.Fatalf("accepted an exact report with no number: %q", exact)
		}
	})
}

// A batch of several models' trees gives each tree the report a forest of
// its model alone gives: the same cut sets (BDD), probability and
// importance factors, exactly, on random models; and its document names
// each model's events apart.
func TestRunBatchEqualsForests(t *testing.T) {
	requireScram(t)
	ctx := context.Background()
	ex, err := openpsa.NewExact(t.TempDir())
	require.NoError(t, err)
	opts := openpsa.RunOptions{Probability: true, Args: []string{"--importance", "true"}, Exact: ex}
	var all []*openpsa.Tree
	var alone []*openpsa.Report
	models := 0
	for sd := uint64(1); len(all) < 60 && sd < 500; sd++ {
		r := rand.New(rand.NewPCG(sd, 21))
		c, err := graph.Compile(synth.Random(r, 3+r.IntN(14)))
		require.NoError(t, err)
		var trees []*openpsa.Tree
		for tv := int32(0); tv < int32(c.NodeCount()); tv++ {
			tr, err := openpsa.Convert(c, tv, openpsa.Options{Probability: func(v int32) float64 { return 0.01 * float64(1+v%13) }})
			if err != nil {
				continue // a cycle
			}
			if constant, _ := tr.Const(); !constant {
				trees = append(trees, tr)
			}
		}
		if len(trees) == 0 {
			continue
		}
		reps, err := openpsa.RunForest(ctx, trees, opts)
		require.NoError(t, err, "seed %d", sd)
		all, alone = append(all, trees...), append(alone, reps...)
		models++
	}
	require.Greater(t, models, 5)
	var doc bytes.Buffer
	require.NoError(t, openpsa.WriteBatch(&doc, all))
	require.Contains(t, doc.String(), `<define-basic-event name="`+openpsa.BatchEventName(models-1, all[len(all)-1].Events()[0])+`">`)
	batch, err := openpsa.RunBatch(ctx, all, opts)
	require.NoError(t, err)
	for i := range all {
		require.Equal(t, alone[i].CutSets, batch[i].CutSets, "tree %d", i)
		require.Equal(t, alone[i].Probability, batch[i].Probability, "tree %d", i)
		require.Equal(t, alone[i].Importance, batch[i].Importance, "tree %d", i)
		require.NotEmpty(t, batch[i].Importance, "tree %d", i)
	}
}
