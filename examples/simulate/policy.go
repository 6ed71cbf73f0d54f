package main

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// ErrInvalid is what every bad flag value matches under errors.Is.
var ErrInvalid = errors.New("simulate: invalid flag")

// FlagError names the flag whose value is bad, and why.
type FlagError struct {
	Flag   string // the flag's name, without the dash; "" for an argument
	Value  string // the bad value, or the bad part of it
	Reason string
}

// Error implements the error interface.
func (e *FlagError) Error() string {
	if e.Flag == "" {
		return fmt.Sprintf("simulate: argument %q: %s", e.Value, e.Reason)
	}
	return fmt.Sprintf("simulate: -%s %q: %s", e.Flag, e.Value, e.Reason)
}

// Is reports whether target is ErrInvalid.
func (e *FlagError) Is(target error) bool { return target == ErrInvalid }

// Limits of the -policies flag.
const (
	maxPolicies = 8
	maxCap      = 1000
)

// Policy is one way of handing out tickets that the simulation compares
// with others: the team's settings and the cap on each agent's open tickets.
type Policy struct {
	// RoundRobin turns round robin on; off, agents only claim tickets from
	// Unassigned.
	RoundRobin bool
	// Cap is every agent's capacity: the most open tickets round robin
	// gives them and, as the team's rule, the most they hold before they stop
	// claiming. 0 means no cap.
	Cap int
	// Waiting turns waiting-ticket assignment on (round robin only): tickets
	// left in Unassigned are handed out when office hours open, an agent
	// comes online, or at a tick when an agent has room.
	Waiting bool
}

// String is the policy in its canonical -policies form, such as
// "rr+cap=5+waiting" or "manual".
func (p Policy) String() string {
	s := "manual"
	if p.RoundRobin {
		s = "rr"
	}
	if p.Cap > 0 {
		s += "+cap=" + strconv.Itoa(p.Cap)
	}
	if p.Waiting {
		s += "+waiting"
	}
	return s
}

// policiesUsage documents the syntax ParsePolicies reads.
const policiesUsage = `policies to compare, separated by commas; each is "rr" (round robin on)
or "manual" (round robin off: agents claim from Unassigned), then options
joined by "+": "cap=N" (each agent holds at most N open tickets) and
"waiting" (round robin also hands out waiting tickets; rr only)`

// ParsePolicies reads the -policies flag: one to eight distinct policies
// separated by commas, such as "rr,rr+cap=5,rr+waiting,manual". Spaces
// around a policy are ignored. Anything else is a *FlagError naming the bad
// part.
func ParsePolicies(s string) ([]Policy, error) {
	parts := strings.Split(s, ",")
	if len(parts) > maxPolicies {
		return nil, &FlagError{Flag: "policies", Value: s, Reason: fmt.Sprintf("%d policies; at most %d", len(parts), maxPolicies)}
	}
	var ps []Policy
	seen := map[Policy]bool{}
	for _, part := range parts {
		p, err := parsePolicy(strings.TrimSpace(part))
		if err != nil {
			return nil, err
		}
		if seen[p] {
			return nil, &FlagError{Flag: "policies", Value: part, Reason: "the same policy twice"}
		}
		seen[p] = true
		ps = append(ps, p)
	}
	return ps, nil
}

func parsePolicy(s string) (Policy, error) {
	bad := func(value, reason string) (Policy, error) {
		return Policy{}, &FlagError{Flag: "policies", Value: value, Reason: reason}
	}
	terms := strings.Split(s, "+")
	var p Policy
	switch terms[0] {
	case "rr":
		p.RoundRobin = true
	case "manual":
	default:
		return bad(s, `a policy starts with "rr" or "manual"`)
	}
	capSet := false
	for _, term := range terms[1:] {
		switch name, value, _ := strings.Cut(term, "="); {
		case term == "waiting" && !p.Waiting:
			if !p.RoundRobin {
				return bad(s, `"waiting" needs round robin ("rr")`)
			}
			p.Waiting = true
		case name == "cap" && !capSet:
			n, err := strconv.Atoi(value)
			if err != nil || n < 1 || n > maxCap {
				return bad(term, fmt.Sprintf("the cap is a whole number from 1 to %d", maxCap))
			}
			p.Cap, capSet = n, true
		case term == "waiting" || name == "cap":
			return bad(s, fmt.Sprintf("%q given twice", name))
		default:
			return bad(term, `unknown option; the options are "cap=N" and "waiting"`)
		}
	}
	return p, nil
}
