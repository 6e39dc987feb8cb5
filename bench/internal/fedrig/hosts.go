package fedrig

import "fmt"

// HostIP is the i-th loopback address of a block: 127.<block>.x.y, never
// ending in .0 or .255.
func HostIP(block, i int) string {
	return fmt.Sprintf("127.%d.%d.%d", block, i/250, i%250+1)
}
