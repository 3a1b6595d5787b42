// Command etcd is etcd v3.6's own entry point (etcdmain), built as a Go module from the
// module proxy for the live test bed; see scripts/testbed/build.sh.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() { etcdmain.Main(os.Args) }
