// Package pgstore is the [inbox.Store] on PostgreSQL, through pgx.
package pgstore
