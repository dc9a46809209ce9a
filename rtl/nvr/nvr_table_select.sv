// The entry a detector table (nvr_stride_detector, nvr_loop_bound_detector) trains on an
// observation: the entry holding its key (hit), else the LRU victim (nvr_lru), as the C++
// model's lookup_or_allocate. The selected entry becomes the most recent.
module nvr_table_select #(
    parameter int ENTRIES = 16,
    parameter int KEY_W = 64,
    localparam int IdxW = ENTRIES > 1 ? $clog2(ENTRIES) : 1
) (
    input  logic                clk,
    input  logic                rst_n,
    input  logic                clear,
    input  logic                obs_valid,
    input  logic [   KEY_W-1:0] obs_key,
    input  logic [ ENTRIES-1:0] valid,
    input  logic [   KEY_W-1:0] keys   [ENTRIES],
    output logic                hit,
    output logic [    IdxW-1:0] hit_idx,
    output logic [    IdxW-1:0] sel
);
  logic [IdxW-1:0] victim;
  always_comb begin
    hit = 1'b0;
    hit_idx = '0;
    for (int i = 0; i < ENTRIES; i++) begin
      if (!hit && valid[i] && keys[i] == obs_key) begin
        hit = 1'b1;
        hit_idx = IdxW'(i);
      end
    end
  end
  assign sel = hit ? hit_idx : victim;

  nvr_lru #(.ENTRIES(ENTRIES)) lru (
      .clk,
      .rst_n,
      .clear,
      .touch(obs_valid),
      .touch_idx(sel),
      .valid,
      .victim
  );
endmodule
