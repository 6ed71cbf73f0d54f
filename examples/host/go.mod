module github.com/routedesk/routedesk/examples/host

go 1.25.0

// The core module and pgstore are this repository's; go.work joins them for
// development, and the replaces let this folder build on its own too.
replace (
	github.com/routedesk/routedesk => ../..
	github.com/routedesk/routedesk/pgstore => ../../pgstore
)

require (
	github.com/google/go-cmp v0.7.0
	github.com/jackc/pgx/v5 v5.12.0
	github.com/routedesk/routedesk v0.0.0-00010101000000-000000000000
	github.com/routedesk/routedesk/pgstore v0.0.0-00010101000000-000000000000
)

require (
	github.com/jackc/pgpassfile v1.0.0 // indirect
	github.com/jackc/pgservicefile v0.0.0-20240606120523-5a60cdf6a761 // indirect
	github.com/jackc/puddle/v2 v2.2.3 // indirect
	golang.org/x/sync v0.22.0 // indirect
	golang.org/x/text v0.41.0 // indirect
	pgregory.net/rapid v1.3.0 // indirect
)
