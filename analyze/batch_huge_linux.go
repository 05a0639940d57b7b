package analyze

import (
	"syscall"
	"unsafe"
)

// hugePage is the size of a transparent huge page on linux/amd64 and arm64.
const hugePage = 2 << 20

// madvHugepage is MADV_HUGEPAGE, not in package syscall.
const madvHugepage = 14

// hugeMasks returns n zero masks in memory the kernel is asked to back
// with huge pages, or nil when it cannot be mapped, and the function that
// unmaps it. The batch engine reads and writes the masks of a large graph
// at random positions (a push into each dependent), and with 4 KiB pages
// nearly every one of them also misses the TLB: the masks of 5,000,000
// nodes are 90 MB, 22,000 pages, against a TLB of a few thousand entries.
// Go's heap does not ask for huge pages, and on most systems the kernel
// gives them only to memory that asks (transparent_hugepage "madvise").
// The memory is outside Go's heap: it must hold no pointers, and it lives
// until free is called.
func hugeMasks(n int) (m []masks, free func()) {
	size := n * int(unsafe.Sizeof(masks{}))
	// One huge page more, so that the masks can start on a huge page:
	// the kernel backs only whole aligned huge pages with one.
	mem, err := syscall.Mmap(-1, 0, size+hugePage, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_PRIVATE|syscall.MAP_ANON)
	if err != nil {
		return nil, nil
	}
	off := 0
	if a := int(uintptr(unsafe.Pointer(&mem[0])) % hugePage); a != 0 {
		off = hugePage - a
	}
	_ = syscall.Madvise(mem[off:off+size], madvHugepage) // a kernel without THP refuses: plain pages then
	m = unsafe.Slice((*masks)(unsafe.Pointer(&mem[off])), n)
	return m, func() { _ = syscall.Munmap(mem) }
}
