# make test: everything CI checks. make bench: the benchmarks for real.
# Every target covers every module of the repository (go.work lists them).
# pgstore's tests need PostgreSQL: pgstore/testdb.sh runs a command with a
# throwaway server, stopped however the command ends (or with the server that
# ROUTEDESK_PG_URL names, if it is set).

STATICCHECK := honnef.co/go/tools/cmd/staticcheck@v0.8.2
MODULES     := $(shell go list -m -f '{{.Dir}}')
BENCHCOUNT  ?= 6
WITHPG      := ./pgstore/testdb.sh

.PHONY: test fmt vet staticcheck unit benchonce bench

# One throwaway server for all the checks.
test:
	@$(WITHPG) $(MAKE) --no-print-directory fmt vet staticcheck unit benchonce

fmt:
	@out=$$(gofmt -l $(MODULES)); if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

vet:
	@for m in $(MODULES); do (cd $$m && go vet ./...) || exit 1; done

staticcheck:
	@for m in $(MODULES); do (cd $$m && go run $(STATICCHECK) ./...) || exit 1; done

unit:
	@$(WITHPG) sh -c 'for m in $(MODULES); do (cd $$m && go test -race ./...) || exit 1; done'

# Every benchmark once, so none of them rots.
benchonce:
	@$(WITHPG) sh -c 'for m in $(MODULES); do (cd $$m && go test -run "^$$" -bench . -benchtime 1x ./...) || exit 1; done'

# The benchmarks for real, in benchstat's input format: make bench > new.txt
bench:
	@$(WITHPG) sh -c 'for m in $(MODULES); do (cd $$m && go test -run "^$$" -bench . -benchmem -count $(BENCHCOUNT) ./...) || exit 1; done'
