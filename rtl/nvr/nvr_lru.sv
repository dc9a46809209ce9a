// LRU order of a detector table (nvr_stride_detector, nvr_loop_bound_detector): the C++ model
// (ip/nvr/detectors.cpp, lookup_or_allocate) takes the first invalid entry, else the entry with
// the smallest 64-bit stamp. Entries are only ever allocated into the first invalid one and only
// cleared all together, so the valid ones form a prefix and their stamps are distinct: a rank per
// entry (0 = most recent) gives the same victim with log2(ENTRIES) bits instead of 64.
module nvr_lru #(
    parameter int ENTRIES = 16,
    localparam int IdxW = ENTRIES > 1 ? $clog2(ENTRIES) : 1
) (
    input  logic                clk,
    input  logic                rst_n,
    input  logic                clear,    // reset(): back to the initial order
    input  logic                touch,    // entry touch_idx becomes the most recent
    input  logic [    IdxW-1:0] touch_idx,
    input  logic [ENTRIES-1:0]  valid,    // the table's valid bits
    output logic [    IdxW-1:0] victim    // first invalid entry, else the least recent
);
  logic [IdxW-1:0] rank_q[ENTRIES];

  always_comb begin
    logic have_free;
    have_free = 1'b0;
    victim = '0;
    for (int i = 0; i < ENTRIES; i++) begin
      if (!have_free && !valid[i]) begin
        have_free = 1'b1;
        victim = IdxW'(i);
      end
    end
    if (!have_free) begin
      for (int i = 0; i < ENTRIES; i++) begin
        if (rank_q[i] == IdxW'(ENTRIES - 1)) victim = IdxW'(i);
      end
    end
  end

  // The ranks stay a permutation: the touched entry goes to 0, the ones more recent than it move
  // down by one, so among the valid entries the order is their recency.
  always_ff @(posedge clk) begin
    if (!rst_n || clear) begin
      for (int i = 0; i < ENTRIES; i++) rank_q[i] <= IdxW'(i);
    end else if (touch) begin
      for (int i = 0; i < ENTRIES; i++) begin
        if (IdxW'(i) == touch_idx) rank_q[i] <= '0;
        else if (rank_q[i] < rank_q[touch_idx]) rank_q[i] <= rank_q[i] + 1'b1;
      end
    end
  end
endmodule
