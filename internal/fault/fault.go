// Package fault defines the small set of error codes every service returns,
// so that the web page, the JSON API and the CLI can each say the same thing
// in their own way: one table maps codes to HTTP status, one catalogue maps
// messages to the user's language.
package fault

import (
	"errors"
	"net/http"

	"shanzhi/internal/i18n"
)

// Code classifies an error by what the caller can do about it.
type Code string

// The codes. Internal is the default for anything unclassified, and its
// cause is logged but never shown.
const (
	Invalid      Code = "invalid"
	NotFound     Code = "not_found"
	Conflict     Code = "conflict"
	Forbidden    Code = "forbidden"
	Unauthorized Code = "unauthorized"
	TooLarge     Code = "too_large"
	TooMany      Code = "too_many"    // over a rate limit
	Unavailable  Code = "unavailable" // paused for maintenance; try again later
	Internal     Code = "internal"
)

// Field is a problem with one input field, named as the form or JSON body
// names it, so a page can put the message beside the field.
type Field struct {
	Name string
	Msg  i18n.Msg
}

// Error is the error type of every service. Msg is what the user reads;
// Err is the internal cause, for the log only.
type Error struct {
	Code   Code
	Msg    i18n.Msg
	Fields []Field
	Err    error
}

func (e *Error) Error() string {
	s := string(e.Code) + ": " + e.Msg.Key
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

func (e *Error) Unwrap() error { return e.Err }

// E builds an Error with a message key and its arguments.
func E(code Code, key string, args ...any) *Error {
	return &Error{Code: code, Msg: i18n.M(key, args...)}
}

// Wrap builds an Error that keeps err as its internal cause.
func Wrap(code Code, err error, key string, args ...any) *Error {
	return &Error{Code: code, Msg: i18n.M(key, args...), Err: err}
}

// CodeOf returns the code of err, Internal for foreign errors and "" for nil.
func CodeOf(err error) Code {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return Internal
}

// Is reports whether err carries code.
func Is(err error, code Code) bool { return CodeOf(err) == code }

// Fields collects field problems during validation and turns them into one
// Invalid error, so a form reports every problem at once rather than the
// first one only.
type Fields []Field

// Add records a problem with field name.
func (fs *Fields) Add(name, key string, args ...any) {
	*fs = append(*fs, Field{Name: name, Msg: i18n.M(key, args...)})
}

// Has reports whether field name already has a problem recorded.
func (fs Fields) Has(name string) bool {
	for _, f := range fs {
		if f.Name == name {
			return true
		}
	}
	return false
}

// Err returns nil when nothing was recorded, otherwise an Invalid error
// carrying every field problem.
func (fs Fields) Err() error {
	if len(fs) == 0 {
		return nil
	}
	return &Error{Code: Invalid, Msg: i18n.M("error.invalid_fields", len(fs)), Fields: fs}
}

// Merge combines the field problems of several checks of one input into
// one Invalid error, so a row reports all of them at once; nil errors are
// skipped, and any error without fields is returned as it is.
func Merge(errs ...error) error {
	var fs Fields
	for _, err := range errs {
		var e *Error
		switch {
		case err == nil:
		case errors.As(err, &e) && len(e.Fields) > 0:
			fs = append(fs, e.Fields...)
		default:
			return err
		}
	}
	return fs.Err()
}

// OnField builds an error whose message also stands beside one field, for
// checks that only the store can make (a number already taken).
func OnField(code Code, field, key string, args ...any) *Error {
	m := i18n.M(key, args...)
	return &Error{Code: code, Msg: m, Fields: []Field{{Name: field, Msg: m}}}
}

// HTTPStatus is the one table from codes to HTTP status, shared by the web
// pages and the JSON API.
func HTTPStatus(c Code) int {
	switch c {
	case Invalid:
		return http.StatusUnprocessableEntity
	case NotFound:
		return http.StatusNotFound
	case Conflict:
		return http.StatusConflict
	case Forbidden:
		return http.StatusForbidden
	case Unauthorized:
		return http.StatusUnauthorized
	case TooLarge:
		return http.StatusRequestEntityTooLarge
	case TooMany:
		return http.StatusTooManyRequests
	case Unavailable:
		return http.StatusServiceUnavailable
	default:
		return http.StatusInternalServerError
	}
}
