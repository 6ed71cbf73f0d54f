package memstore

// refIndex is a hash index from keys of type K to references: nonzero 32-bit
// numbers of the records (tickets, messages) that hold the keys. A slot holds
// only the reference and 32 bits of the key's hash; the key is read back from
// the record with keyOf when the hash bits match. At a million entries that
// is about 14 bytes per entry, where a Go map from the key to the number
// takes about 40, and growing the table never reads the records.
//
// It is an open-addressing table with linear probing, at most 3/4 full, and
// deletes by shifting later entries back (no tombstones).
type refIndex[K comparable] struct {
	slots []uint64 // hash<<32 | ref; 0 is empty
	n     int
	keyOf func(ref uint32) K
	hash  func(K) uint64
}

// find returns the slot holding k, or the empty slot where k would go, and
// whether k is there, and the hash bits of k.
func (x *refIndex[K]) find(k K) (i int, found bool, h uint64) {
	h = x.hash(k) >> 32 << 32
	mask := len(x.slots) - 1
	for i = int(h>>32) & mask; ; i = (i + 1) & mask {
		s := x.slots[i]
		if s == 0 {
			return i, false, h
		}
		if s&^(1<<32-1) == h && x.keyOf(uint32(s)) == k {
			return i, true, h
		}
	}
}

// get returns the reference of k, or 0.
func (x *refIndex[K]) get(k K) uint32 {
	if x.n == 0 {
		return 0
	}
	i, _, _ := x.find(k)
	return uint32(x.slots[i])
}

// put makes k refer to ref, which must be a record whose key is k, and
// returns the reference k had before (0 if none).
func (x *refIndex[K]) put(k K, ref uint32) uint32 {
	if 4*(x.n+1) > 3*len(x.slots) {
		x.resize(max(8, 2*len(x.slots)))
	}
	i, found, h := x.find(k)
	old := uint32(x.slots[i])
	x.slots[i] = h | uint64(ref)
	if !found {
		x.n++
	}
	return old
}

// resize moves every entry into a table of size slots (a power of two).
func (x *refIndex[K]) resize(size int) {
	old := x.slots
	x.slots = make([]uint64, size)
	mask := size - 1
	for _, s := range old {
		if s != 0 {
			i := int(s>>32) & mask
			for x.slots[i] != 0 {
				i = (i + 1) & mask
			}
			x.slots[i] = s
		}
	}
}

// delete removes k, if present; its record must still be readable through
// keyOf.
func (x *refIndex[K]) delete(k K) {
	if x.n == 0 {
		return
	}
	i, found, _ := x.find(k)
	if !found {
		return
	}
	x.n--
	mask := len(x.slots) - 1
	for j := i; ; {
		x.slots[i] = 0
		for {
			j = (j + 1) & mask
			s := x.slots[j]
			if s == 0 {
				return
			}
			// The entry at j may fill the hole at i unless its home slot
			// lies cyclically in (i, j].
			h := int(s>>32) & mask
			if i <= j && (h <= i || h > j) || i > j && h <= i && h > j {
				x.slots[i] = s
				i = j
				break
			}
		}
	}
}
