package synth_test

import (
	"fmt"
	"math/rand/v2"

	"github.com/blastradius-go/blastradius/internal/synth"
)

func ExampleServices() {
	m := synth.Services(synth.Default(1000, 1))
	fmt.Println(len(m.Nodes), m.Nodes[0].ID, m.Nodes[len(m.Nodes)-1].ID)
	// Output: 1000 region-0 svc-991
}

func ExampleRandom() {
	r := rand.New(rand.NewPCG(1, 2))
	m := synth.Random(r, 12)
	fmt.Println(len(m.Nodes))
	// Output: 12
}
