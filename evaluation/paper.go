package evaluation

// PaperLatency is the paper's latency table (slide 15), in microseconds: memcached, plib with
// Hodor (PKU), plib without, and the speedup it quotes (memcached over plib with Hodor).
var PaperLatency = map[string]struct{ Memcached, PlibPKU, PlibNoPKU, Speedup float64 }{
	"Get 128B":  {13, 0.67, 0.64, 19},
	"Get 5KB":   {13, 0.67, 0.64, 20},
	"Set 128B":  {13, 1.2, 1.2, 11},
	"Set 5KB":   {17, 1.5, 1.5, 11},
	"Delete":    {10, 0.21, 0.18, 56},
	"Increment": {54, 1.6, 1.5, 36},
}

// PaperThroughputClaim is what the paper says of throughput: the abstract's "roughly 2×", the
// results slide's "2-3x improved throughput" (its figures' values are not in the published text).
const PaperThroughputClaim = "roughly 2× (abstract); 2–3× (slide 14), figures peaking below 2,000 kops/s on a 40-thread machine"
