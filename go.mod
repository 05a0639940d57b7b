module github.com/blastradius-go/blastradius

go 1.26.0

require (
	github.com/emicklei/dot v1.6.2
	github.com/santhosh-tekuri/jsonschema/v6 v6.0.3
	github.com/stretchr/testify v1.12.1
	go.yaml.in/yaml/v3 v3.0.6
	gonum.org/v1/gonum v0.17.0
)

require golang.org/x/text v0.23.0 // indirect
