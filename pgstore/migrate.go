package pgstore

import (
	"context"
	"embed"

	"fmt"
	"hash/fnv"
	"io/fs"
	"slices"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

//go:embed migrations/*.sql
var embedded embed.FS

// Migrations holds the store's SQL migrations, for hosts that run their own
// migration tool: files named NNNN_name.sql (NNNN is the version, from
// 0001), to apply once each in the order of their versions, inside a schema
// that exists and with search_path set to it: the files name no schema.
// [Migrate] does all that itself.
var Migrations, _ = fs.Sub(embedded, "migrations")

// migration is one file of Migrations.
type migration struct {
	version int
	name    string
	sql     string
}

// parseMigrationName parses a file name of Migrations: four digits (the
// version, not 0), "_", a name of lower-case letters, digits and "_", and
// ".sql".
func parseMigrationName(file string) (version int, name string, err error) {
	bad := func(why string) (int, string, error) {
		return 0, "", fmt.Errorf("pgstore: migration file %q: %s", file, why)
	}
	digits, rest, ok := strings.Cut(file, "_")
	if !ok || len(digits) != 4 || strings.Trim(digits, "0123456789") != "" {
		return bad("does not start with four digits and _")
	}
	name, ok = strings.CutSuffix(rest, ".sql")
	if !ok || name == "" || strings.Trim(name, "abcdefghijklmnopqrstuvwxyz0123456789_") != "" {
		return bad("the name is not lower-case letters, digits and _ followed by .sql")
	}
	version, _ = strconv.Atoi(digits) // four digits always parse
	if version == 0 {
		return bad("version 0")
	}
	return version, name, nil
}

// migrations returns the files of Migrations in version order, which must
// run from 1 without a gap.
func migrations() ([]migration, error) {
	entries, err := fs.ReadDir(Migrations, ".")
	if err != nil {
		return nil, err
	}
	var ms []migration
	for _, e := range entries {
		version, name, err := parseMigrationName(e.Name())
		if err != nil {
			return nil, err
		}
		sql, err := fs.ReadFile(Migrations, e.Name())
		if err != nil {
			return nil, err
		}
		ms = append(ms, migration{version, name, string(sql)})
	}
	slices.SortFunc(ms, func(a, b migration) int { return a.version - b.version })
	for i, m := range ms {
		if m.version != i+1 {
			return nil, fmt.Errorf("pgstore: migration %d follows %d", m.version, i)
		}
	}
	return ms, nil
}

// Migrate creates the store's schema if need be and applies the migrations
// it has not applied yet, recording each in the schema's migrations table,
// all in one transaction: after an error nothing has changed. It is safe to
// call from several processes at once (each replica, as it starts): they
// take a transaction-scoped advisory lock named after the schema in turn,
// and those after the first find nothing to do. Versions in the table that
// this package does not know (applied by a newer version) are left alone.
//
// Migrate refuses a database whose encoding is not UTF8. The options are
// [New]'s; only the schema counts.
func Migrate(ctx context.Context, pool *pgxpool.Pool, opts ...Option) error {
	if pool == nil {
		return invalid("pool", "nil")
	}
	c, err := configure(opts)
	if err != nil {
		return err
	}
	ms, err := migrations()
	if err != nil {
		return err
	}
	if err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error { return migrate(ctx, tx, c.schema, ms) }); err != nil {
		return interpretError("migrate", err)
	}
	return nil
}

// migrate applies ms in tx.
func migrate(ctx context.Context, tx pgx.Tx, schema string, ms []migration) error {
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, migrationLock(schema)); err != nil {
		return err
	}
	var encoding string
	if err := tx.QueryRow(ctx, `SELECT pg_encoding_to_char(encoding) FROM pg_database WHERE datname = current_database()`).Scan(&encoding); err != nil {
		return err
	}
	if encoding != "UTF8" {
		return fmt.Errorf("the database's encoding is %s: pgstore keeps text in UTF8", encoding)
	}
	q := pgx.Identifier{schema}.Sanitize()
	if _, err := tx.Exec(ctx, `CREATE SCHEMA IF NOT EXISTS `+q+`;
		CREATE TABLE IF NOT EXISTS `+q+`.migrations (
			version    integer PRIMARY KEY,
			name       text NOT NULL,
			applied_at timestamptz NOT NULL DEFAULT now()
		)`); err != nil {
		return err
	}
	rows, _ := tx.Query(ctx, `SELECT version FROM `+q+`.migrations`)
	applied, err := pgx.CollectRows(rows, pgx.RowTo[int])
	if err != nil {
		return err
	}
	for _, m := range ms {
		if slices.Contains(applied, m.version) {
			continue
		}
		if _, err := tx.Exec(ctx, `SET LOCAL search_path TO `+q+`;`+m.sql); err != nil {
			return fmt.Errorf("migration %d (%s): %w", m.version, m.name, err)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO `+q+`.migrations (version, name) VALUES ($1, $2)`, m.version, m.name); err != nil {
			return err
		}
	}
	return nil
}

// migrationLock is the key of the advisory lock that Migrate takes for the
// schema.
func migrationLock(schema string) int64 {
	h := fnv.New64a()
	h.Write([]byte("routedesk/pgstore migrate " + schema))
	return int64(h.Sum64())
}
