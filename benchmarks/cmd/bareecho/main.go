// Command bareecho serves the load test's routes on bare Echo, with no authentication:
// the reference the protected example service is compared with.
package main

import (
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
)

func main() {
	addr := "127.0.0.1:0"
	if len(os.Args) > 1 {
		addr = os.Args[1]
	}
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.Use(middleware.Recover(), middleware.RequestID(), middleware.BodyLimit("1M")) // as the example service
	e.GET("/public-data", func(c echo.Context) error {
		return c.JSON(http.StatusOK, map[string]any{"message": "public data, for everyone", "subject": nil})
	})
	e.GET("/protected", func(c echo.Context) error {
		return c.JSON(http.StatusOK, map[string]any{"subject": "load-1", "scopes": []string{"read:data"}, "roles": []string{},
			"permissions": []string{}, "message": "you hold a valid access token"})
	})
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Printf("bare echo listening on http://%s\n", ln.Addr())
	srv := &http.Server{Handler: e}
	go srv.Serve(ln)
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
	<-sig
	srv.Close()
}
