package domain

// Raw-key access for set algebra: the encodings of elements, batch by
// batch, and membership of many encodings under one lock hold. Comparing
// encodings needs no decoding, and batches keep the memory of a pass over
// a set bounded whatever its size.

// KeyBatches calls fn with the encodings of s's elements in insertion
// order, one batch at a time, with no lock held, so fn may read or write
// s and other collections. The slices are fn's until it returns. fn
// returns false to stop. A read error ends the pass and goes to report.
func (s *Set[T]) KeyBatches(fn func(keys [][]byte) bool, report func(error)) {
	var (
		buf  []byte
		ends []int
		keys [][]byte
	)
	s.each(func(_ int64, k, _ []byte) error {
		buf = append(buf, k...)
		ends = append(ends, len(buf))
		return nil
	}, func() bool {
		keys = keys[:0]
		start := 0
		for _, end := range ends {
			keys = append(keys, buf[start:end:end])
			start = end
		}
		more := len(keys) == 0 || fn(keys)
		buf, ends = buf[:0], ends[:0]
		return more
	}, report)
}

// ContainsKeys sets in[i] to whether keys[i] is the encoding of an element
// of s, under one hold of the read lock.
func (s *Set[T]) ContainsKeys(keys [][]byte, in []bool) error {
	if err := s.c.beginRead(); err != nil {
		return err
	}
	defer s.c.endRead()
	offs := make([]int64, len(keys))
	s.st.findMany(s.c, keys, offs)
	for i, off := range offs {
		in[i] = off != 0
	}
	return nil
}

// DecodeKey decodes an element's encoding.
func (s *Set[T]) DecodeKey(key []byte) (T, error) { return s.codec.Decode(key) }

// EncodeKey appends v's encoding to dst.
func (s *Set[T]) EncodeKey(dst []byte, v T) ([]byte, error) { return s.codec.Append(dst, v) }

// AddKeys adds the elements whose encodings keys are, under one hold of
// the write lock, and returns how many were not there before.
func (s *Set[T]) AddKeys(keys [][]byte) (int, error) {
	if err := s.c.beginWrite(); err != nil {
		return 0, err
	}
	added := 0
	var err error
	for _, k := range keys {
		if s.find(k) != 0 {
			continue
		}
		if err = s.put(k, nil); err != nil {
			break
		}
		added++
	}
	return added, s.c.endWrite(err)
}

// RemoveKeys removes the elements whose encodings keys are, under one
// hold of the write lock, and returns how many were there.
func (s *Set[T]) RemoveKeys(keys [][]byte) (int, error) {
	if err := s.c.beginWrite(); err != nil {
		return 0, err
	}
	removed := 0
	var err error
	for _, k := range keys {
		var found bool
		if found, err = s.delete(k); err != nil {
			break
		}
		if found {
			removed++
		}
	}
	return removed, s.c.endWrite(err)
}

// ReportIterErr records err as the error that ended an iteration early,
// for Err (when no earlier one is pending).
func (s *Set[T]) ReportIterErr(err error) { s.c.setIterErr(err) }
