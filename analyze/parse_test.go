package analyze_test

import (
	"context"
	"errors"
	"flag"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/blastradius-go/blastradius/analyze"
	"github.com/blastradius-go/blastradius/graph"
)

func TestParseRef(t *testing.T) {
	c := loadT(t, "../testdata/kakao-2022.yaml")
	tests := []struct {
		in      string
		want    analyze.Ref
		err     string
		suggest string // the UnknownNodeError's suggestion, when err is one
	}{
		{in: "pangyo", want: analyze.Ref{ID: "pangyo", Kind: graph.Site}},
		{in: "site:pangyo", want: analyze.Ref{ID: "pangyo", Kind: graph.Site}},
		{in: "node:pangyo", want: analyze.Ref{ID: "pangyo", Kind: graph.Site}},
		{in: "region:capital", want: analyze.Ref{ID: "capital", Kind: graph.Region}},
		{in: "node:kakaotalk", want: analyze.Ref{ID: "kakaotalk", Kind: graph.Service}},
		{in: "kakaotalk@pangyo", want: analyze.Ref{ID: "kakaotalk@pangyo", Replica: true, Kind: graph.Service}},
		{in: "site:kakaotalk", err: `"kakaotalk" is a service, not a site`},
		{in: "region:pangyo", err: `"pangyo" is a site, not a region`},
		{in: "node:kakaotalk@pangyo", err: `"kakaotalk@pangyo" is a replica, not a node`},
		{in: "site:kakaotalk@pangyo", err: `"kakaotalk@pangyo" is a replica, not a site`},
		{in: "zone:pangyo", err: `unknown prefix "zone" (want site:, region: or node:)`},
		{in: "site:", err: `no id after "site:"`},
		{in: "", err: `empty node id`},
		{in: "site:pangyoo", err: `unknown node "pangyoo" (did you mean "pangyo"?)`, suggest: "pangyo"},
		{in: "kakao-gmaes", err: `unknown node "kakao-gmaes" (did you mean "kakao-games"?)`, suggest: "kakao-games"},
		// A misspelt replica suggests the replica, not a node.
		{in: "kakaotalk@pangoy", err: `unknown node "kakaotalk@pangoy" (did you mean "kakaotalk@pangyo"?)`, suggest: "kakaotalk@pangyo"},
		{in: "kakaotak@gasan", err: `unknown node "kakaotak@gasan" (did you mean "kakaotalk@gasan"?)`, suggest: "kakaotalk@gasan"},
		// A replica at a site where the node has none is unknown.
		{in: "kakaotalk@ansan", err: `unknown node "kakaotalk@ansan" (did you mean "kakaotalk@gasan"?)`, suggest: "kakaotalk@gasan"},
		// site: suggests sites only: "kakaotalk" is close to no site.
		{in: "site:kakaotalkk", err: `unknown node "kakaotalkk"`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := analyze.ParseRef(c, tt.in)
			if tt.err == "" {
				require.NoError(t, err)
				assert.Equal(t, tt.want, got)
				return
			}
			require.EqualError(t, err, tt.err)
			var unk *analyze.UnknownNodeError
			if errors.As(err, &unk) {
				assert.Equal(t, tt.suggest, unk.Suggestion)
			} else {
				assert.Empty(t, tt.suggest, "want an *UnknownNodeError")
			}
		})
	}
}

// Groups have vertices but no name a user can write; they are not found
// even when their internal name is typed.
func TestParseRefGroup(t *testing.T) {
	c := loadT(t, "../testdata/kakao-2022.yaml")
	for v := int32(0); v < int32(c.Len()); v++ {
		if k := c.VertexKind(v); k == graph.GroupVertex || k == graph.SoftGroupVertex {
			_, err := analyze.ParseRef(c, c.VertexName(v))
			var unk *analyze.UnknownNodeError
			require.ErrorAs(t, err, &unk, "group %s", c.VertexName(v))
			return
		}
	}
	t.Fatal("the model has no group")
}

func TestParseScenario(t *testing.T) {
	c := loadT(t, "../testdata/kakao-2022.yaml")
	sc, err := analyze.ParseScenario(c, []string{"site:pangyo", "kakaotalk@gasan", "node:kakao-login"})
	require.NoError(t, err)
	assert.Equal(t, analyze.Fail("pangyo", "kakaotalk@gasan", "kakao-login"), sc)

	_, err = analyze.ParseScenario(c, []string{"site:pangyo", "kakaotalk", "pangyo"})
	assert.EqualError(t, err, `pangyo: "pangyo" is already removed by site:pangyo; name each failure once`)
	_, err = analyze.ParseScenario(c, []string{"kakaotalk", "site:pangyoo"})
	assert.EqualError(t, err, `site:pangyoo: unknown node "pangyoo" (did you mean "pangyo"?)`)
	var unk *analyze.UnknownNodeError
	assert.ErrorAs(t, err, &unk, "the cause stays inspectable")

	sc, err = analyze.ParseScenario(c, nil)
	require.NoError(t, err)
	assert.Empty(t, sc.Failures)
}

func TestParseKinds(t *testing.T) {
	tests := []struct {
		in   string
		want []graph.Kind
		err  string
	}{
		{in: "identity", want: []graph.Kind{graph.Identity}},
		{in: "identity,datastore", want: []graph.Kind{graph.Identity, graph.Datastore}},
		{in: " identity , service,identity", want: []graph.Kind{graph.Identity, graph.Service}},
		{in: "servce", err: `unknown kind "servce" (did you mean "service"?); want one of service, identity, datastore, queue, network, power, site, region, external`},
		{in: "zzzzzz", err: `unknown kind "zzzzzz"; want one of service, identity, datastore, queue, network, power, site, region, external`},
		{in: "", err: `empty kind in "": want names such as identity,datastore`},
		{in: "identity,", err: `empty kind in "identity,": want names such as identity,datastore`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := analyze.ParseKinds(tt.in)
			if tt.err != "" {
				assert.EqualError(t, err, tt.err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestFailOn(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want analyze.FailOn
		err  string
	}{
		{"", analyze.FailOnNever, ""},
		{"down", analyze.FailOnDown, ""},
		{"degraded", analyze.FailOnDegraded, ""},
		{"sometimes", analyze.FailOnNever, `"sometimes": want down or degraded`},
		{"Down", analyze.FailOnNever, `"Down": want down or degraded`},
	} {
		got, err := analyze.ParseFailOn(tt.in)
		if tt.err != "" {
			assert.EqualError(t, err, tt.err)
			continue
		}
		require.NoError(t, err)
		assert.Equal(t, tt.want, got)
		assert.Equal(t, tt.in, got.String(), "String gives back what ParseFailOn takes")
	}
	var f analyze.FailOn
	fs := flag.NewFlagSet("x", flag.ContinueOnError)
	fs.Var(&f, "fail-on", "")
	require.NoError(t, fs.Parse([]string{"--fail-on", "degraded"}))
	assert.Equal(t, analyze.FailOnDegraded, f)
}

func TestFailOnViolated(t *testing.T) {
	kakao := loadT(t, "../testdata/kakao-2022.yaml")
	naver := loadT(t, "../testdata/naver-2022.yaml")
	// Only replicas Down: kakaotalk@gasan is a standby whose loss leaves
	// every node Up (with redundancy lost at most).
	onlyReplica := compileYAMLT(t, `
nodes:
  a: {kind: site}
  b: {kind: site}
  svc:
    kind: service
    replicas: [{site: a}, {site: b}]
`)
	tests := []struct {
		name string
		c    *graph.Compiled
		sc   analyze.Scenario
		// the verdicts of FailOnNever, FailOnDown and FailOnDegraded
		never, down, degraded bool
	}{
		{"kakao-pangyo", kakao, analyze.Fail("pangyo"), false, true, true},
		// KakaoBank is only Degraded when its invite feature is lost.
		{"kakao-group-invite", kakao, analyze.Fail("kakaobank-group-invite"), false, false, true},
		// Naver's Pangyo datastores are Down (not removed themselves).
		{"naver-pangyo", naver, analyze.Fail("pangyo"), false, true, true},
		// A removed node is not a finding, only what it takes with it.
		{"naver-search-replica", naver, analyze.Fail("naver-search@pangyo"), false, false, false},
		{"kakao-talk-only", kakao, analyze.Fail("talk-drawer"), false, false, false},
		// The replica at site a is Down, svc is Up: the run passes.
		{"only-replica-down", onlyReplica, analyze.Fail("a"), false, false, false},
		{"nothing", kakao, analyze.Scenario{}, false, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o, err := analyze.Simulate(context.Background(), tt.c, tt.sc)
			require.NoError(t, err)
			assert.Equal(t, tt.never, analyze.FailOnNever.Violated(o), "never")
			assert.Equal(t, tt.down, analyze.FailOnDown.Violated(o), "down")
			assert.Equal(t, tt.degraded, analyze.FailOnDegraded.Violated(o), "degraded")
		})
	}
}

// compileYAMLT compiles a model written in YAML.
func compileYAMLT(t *testing.T, src string) *graph.Compiled {
	t.Helper()
	m, err := graph.Decode(strings.NewReader(src), "test.yaml", graph.YAML)
	require.NoError(t, err)
	c, err := graph.Compile(m)
	require.NoError(t, err)
	return c
}

// FuzzParseRef: whatever the reference, ParseRef does not panic; what it
// accepts names a vertex of the sort asked for; and a suggestion, written
// with the same prefix, is always accepted (so "did you mean" never points
// at something that is refused in turn).
func FuzzParseRef(f *testing.F) {
	m, err := graph.Load("../testdata/kakao-2022.yaml")
	if err != nil {
		f.Fatal(err)
	}
	c, err := graph.Compile(m)
	if err != nil {
		f.Fatal(err)
	}
	for _, s := range []string{"pangyo", "site:pangyoo", "region:capitl", "node:kakaotalk@pangyo",
		"kakaotalk@pangoy", "kakaotalk@gasan#2", "site:", ":", "@", "x:y:z", "kakao-login.requires[0]"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := analyze.ParseRef(c, s)
		if err == nil {
			v, ok := c.Lookup(r.ID)
			if !ok {
				t.Fatalf("%q: accepted %q, which the model lacks", s, r.ID)
			}
			if r.Replica != (c.VertexKind(v) == graph.ReplicaVertex) || c.VertexKind(v) > graph.ReplicaVertex {
				t.Fatalf("%q: %+v is vertex kind %v", s, r, c.VertexKind(v))
			}
			return
		}
		var unk *analyze.UnknownNodeError
		if errors.As(err, &unk) && unk.Suggestion != "" {
			prefix, _, ok := strings.Cut(s, ":")
			again := unk.Suggestion
			if ok {
				again = prefix + ":" + again
			}
			if _, err := analyze.ParseRef(c, again); err != nil {
				t.Fatalf("%q suggests %q, which fails: %v", s, again, err)
			}
		}
	})
}
