module github.com/routedesk/routedesk/pgstore

go 1.25.0

// The core module is this repository's root. go.work joins the two for
// development; the replace lets `go mod tidy` and `go build` work in this
// folder alone too (a fresh clone builds either way).
replace github.com/routedesk/routedesk => ../

require (
	github.com/google/go-cmp v0.7.0
	github.com/jackc/pgx/v5 v5.12.0
	github.com/routedesk/routedesk v0.0.0-00010101000000-000000000000
	pgregory.net/rapid v1.3.0
)

require (
	github.com/jackc/pgpassfile v1.0.0 // indirect
	github.com/jackc/pgservicefile v0.0.0-20240606120523-5a60cdf6a761 // indirect
	github.com/jackc/puddle/v2 v2.2.3 // indirect
	golang.org/x/sync v0.22.0 // indirect
	golang.org/x/text v0.41.0 // indirect
)
