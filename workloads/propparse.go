package workloads

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// propertyReader reads typed properties with defaults, collecting every problem so that
// NewCoreWorkload reports them all at once.
type propertyReader struct {
	p    Properties
	errs []error
}

// fail records a bad value of property name.
func (r *propertyReader) fail(name, value, format string, args ...any) {
	r.errs = append(r.errs, fmt.Errorf("%w %s=%q: %s", ErrBadProperty, name, value, fmt.Sprintf(format, args...)))
}

// err returns the problems found, joined, or nil.
func (r *propertyReader) err() error { return errors.Join(r.errs...) }

// raw returns the trimmed value of name and whether it is set.
func (r *propertyReader) raw(name string) (string, bool) {
	v, ok := r.p[name]
	return strings.TrimSpace(v), ok
}

// int64 reads a decimal integer in [lo, hi], or def when unset.
func (r *propertyReader) int64(name string, def, lo, hi int64) int64 {
	s, ok := r.raw(name)
	if !ok {
		return def
	}
	v, err := strconv.ParseInt(s, 10, 64)
	switch {
	case err != nil:
		r.fail(name, s, "not a whole number")
	case v < lo || v > hi:
		r.fail(name, s, "must be between %d and %d", lo, hi)
	default:
		return v
	}
	return def
}

// float reads a finite number in [lo, hi], or def when unset.
func (r *propertyReader) float(name string, def, lo, hi float64) float64 {
	s, ok := r.raw(name)
	if !ok {
		return def
	}
	v, err := strconv.ParseFloat(s, 64)
	switch {
	case err != nil || math.IsNaN(v) || math.IsInf(v, 0):
		r.fail(name, s, "not a number")
	case v < lo || v > hi:
		r.fail(name, s, "must be between %g and %g", lo, hi)
	default:
		return v
	}
	return def
}

// choice reads one of options, or def when unset.
func (r *propertyReader) choice(name, def string, options ...string) string {
	s, ok := r.raw(name)
	if !ok {
		return def
	}
	for _, o := range options {
		if s == o {
			return s
		}
	}
	r.fail(name, s, "want one of %s", strings.Join(options, ", "))
	return def
}
