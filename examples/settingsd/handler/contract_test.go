package handler_test

import (
	"net/http"
	"testing"
)

func contract(t *testing.T, h http.Handler) http.Handler { return h }
