package workloads

// fieldLengths draws a record's length: the sum of fieldcount field lengths, each from YCSB's
// field length generator (CoreWorkload.getFieldLengthGenerator): constant fieldlength, uniform
// on [minfieldlength, fieldlength], or Zipfian on that range favouring short fields. It holds no
// mutable state, so threads share one.
type fieldLengths struct {
	dist   string // "constant", "uniform" or "zipfian"
	count  int64
	length int64
	min    int64
	zipf   zipfian // for "zipfian": fixed item count, so draws never resize it
}

// newFieldLengths builds the generator from checked properties.
func newFieldLengths(dist string, count, length, minLength int64) fieldLengths {
	f := fieldLengths{dist: dist, count: count, length: length, min: minLength}
	if dist == "zipfian" {
		f.zipf = newZipfian(minLength, length, ZipfianConstant)
	}
	return f
}

// total draws one record length in bytes.
func (f *fieldLengths) total(r *rng) int {
	switch f.dist {
	case "uniform":
		var sum int64
		for range f.count {
			sum += f.min + r.int63n(f.length-f.min+1)
		}
		return int(sum)
	case "zipfian":
		var sum int64
		for range f.count {
			sum += f.zipf.next(r)
		}
		return int(sum)
	}
	return int(f.count * f.length)
}
