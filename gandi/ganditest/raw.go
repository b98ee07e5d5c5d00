package ganditest

import (
	"net"
	"sync"
)

// RawListener accepts connections on a loopback port and hands each to serve in
// its own goroutine, for tests of what happens on the way to Gandi (a host that
// accepts and never answers, resets, cuts an answer). It returns host:port and a
// close that stops it and closes every connection still open.
func RawListener(serve func(c net.Conn)) (addr string, close func(), err error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	var (
		mu    sync.Mutex
		conns []net.Conn
		wg    sync.WaitGroup
	)
	wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
			wg.Go(func() { serve(c) })
		}
	})
	return ln.Addr().String(), func() {
		ln.Close()
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
		wg.Wait()
	}, nil
}
