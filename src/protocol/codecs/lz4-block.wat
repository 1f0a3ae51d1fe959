;; The LZ4 block compressor of lz4-block.ts, in WebAssembly: the same greedy single pass, the same
;; hash, skip and table rules, so it writes the same bytes for the same input (the tests compare
;; them). WebAssembly reads eight unaligned bytes in one load and counts trailing zero bits in one
;; instruction, which the TypeScript cannot: matches are extended eight bytes per step and end at
;; the first differing byte without a byte-by-byte tail.
;;
;; scripts/build-wasm.mjs assembles this file (wat2wasm, from wabt) into lz4-block-wasm.ts.
;;
;; Memory: bytes [0, 65536) hold the hash table (16384 positions); the caller places the input and
;; the output after it and grows the memory as needed. The caller keeps the table's validity base
;; (see lz4-block.ts): a call stores each position p of its input as validFrom + (p - src), so
;; entries below validFrom were written by earlier calls and count as empty, and the table never
;; needs clearing until the base nears 2^30.

(module
  (memory (export "memory") 2)

  ;; the table entry's address for the four bytes `seq`: Knuth's multiplicative hash, top 14 bits
  (func $slot (param $seq i32) (result i32)
    (i32.shl
      (i32.shr_u (i32.mul (local.get $seq) (i32.const -1640531535)) (i32.const 18))
      (i32.const 2)))

  ;; the extra length bytes of a literal or match length beyond its token's 15
  (func $writeLength (param $d i32) (param $length i32) (result i32)
    (block $done
      (loop $more
        (br_if $done (i32.lt_u (local.get $length) (i32.const 255)))
        (i32.store8 (local.get $d) (i32.const 255))
        (local.set $d (i32.add (local.get $d) (i32.const 1)))
        (local.set $length (i32.sub (local.get $length) (i32.const 255)))
        (br $more)))
    (i32.store8 (local.get $d) (local.get $length))
    (i32.add (local.get $d) (i32.const 1)))

  ;; one sequence at $d: token, literals copied from $literals, then (matchLength > 0) the match's
  ;; offset and length; returns the address after it. Up to 16 literals are copied as two 8-byte
  ;; words, which may write and read up to 15 bytes past them: the caller leaves that much room
  ;; after the input and the output.
  (func $writeSequence
    (param $d i32) (param $literals i32) (param $literalLength i32) (param $offset i32) (param $matchLength i32)
    (result i32)
    (local $tokenAt i32) (local $token i32) (local $extra i32)
    (local.set $tokenAt (local.get $d))
    (local.set $d (i32.add (local.get $d) (i32.const 1)))
    (if (i32.ge_u (local.get $literalLength) (i32.const 15))
      (then
        (local.set $token (i32.const 0xf0))
        (local.set $d (call $writeLength (local.get $d) (i32.sub (local.get $literalLength) (i32.const 15)))))
      (else
        (local.set $token (i32.shl (local.get $literalLength) (i32.const 4)))))
    (if (i32.le_u (local.get $literalLength) (i32.const 16))
      (then
        (i64.store (local.get $d) (i64.load (local.get $literals)))
        (i64.store offset=8 (local.get $d) (i64.load offset=8 (local.get $literals))))
      (else
        (memory.copy (local.get $d) (local.get $literals) (local.get $literalLength))))
    (local.set $d (i32.add (local.get $d) (local.get $literalLength)))
    (if (i32.gt_u (local.get $matchLength) (i32.const 0))
      (then
        (i32.store16 (local.get $d) (local.get $offset))
        (local.set $d (i32.add (local.get $d) (i32.const 2)))
        (local.set $extra (i32.sub (local.get $matchLength) (i32.const 4)))
        (if (i32.ge_u (local.get $extra) (i32.const 15))
          (then
            (local.set $token (i32.or (local.get $token) (i32.const 0x0f)))
            (local.set $d (call $writeLength (local.get $d) (i32.sub (local.get $extra) (i32.const 15)))))
          (else
            (local.set $token (i32.or (local.get $token) (local.get $extra)))))))
    (i32.store8 (local.get $tokenAt) (local.get $token))
    (local.get $d))

  ;; Compresses memory [$src, $end) into an LZ4 block at $dst; returns the address after it.
  ;; $validFrom: the table's validity base for this call (see above), at least 1.
  (func (export "compressBlock")
    (param $src i32) (param $end i32) (param $dst i32) (param $validFrom i32)
    (result i32)
    (local $d i32) (local $anchor i32) (local $ip i32) (local $ref i32) (local $base i32)
    (local $matchFindLimit i32) (local $matchLimit i32) (local $attempts i32) (local $sequence i32)
    (local $slot i32) (local $entry i32) (local $matchEnd i32) (local $refEnd i32) (local $difference i64)
    (local.set $d (local.get $dst))
    (local.set $anchor (local.get $src))
    ;; inputs shorter than 13 bytes are all literals (the format's last-match rules)
    (if (i32.ge_u (i32.sub (local.get $end) (local.get $src)) (i32.const 13))
      (then
        (local.set $base (i32.sub (local.get $validFrom) (local.get $src)))
        (local.set $matchFindLimit (i32.sub (local.get $end) (i32.const 12)))
        (local.set $matchLimit (i32.sub (local.get $end) (i32.const 5)))
        (local.set $ip (local.get $src))
        (block $finished
          (loop $nextMatch
            (local.set $attempts (i32.const 64))
            ;; find four bytes seen before within 65535 bytes, skipping ahead faster the longer
            ;; nothing is found
            (block $found
              (loop $search
                (br_if $finished (i32.gt_u (local.get $ip) (local.get $matchFindLimit)))
                (local.set $sequence (i32.load (local.get $ip)))
                (local.set $slot (call $slot (local.get $sequence)))
                (local.set $entry (i32.load (local.get $slot)))
                (i32.store (local.get $slot) (i32.add (local.get $ip) (local.get $base)))
                (local.set $ref (i32.sub (local.get $entry) (local.get $base)))
                (if (i32.ge_s (local.get $entry) (local.get $validFrom))
                  (then
                    (if (i32.le_u (i32.sub (local.get $ip) (local.get $ref)) (i32.const 65535))
                      (then
                        (br_if $found (i32.eq (i32.load (local.get $ref)) (local.get $sequence)))))))
                (local.set $ip (i32.add (local.get $ip) (i32.shr_u (local.get $attempts) (i32.const 6))))
                (local.set $attempts (i32.add (local.get $attempts) (i32.const 1)))
                (br $search)))
            ;; extend the match backwards over bytes not yet written
            (block $backDone
              (loop $back
                (br_if $backDone (i32.le_u (local.get $ip) (local.get $anchor)))
                (br_if $backDone (i32.le_u (local.get $ref) (local.get $src)))
                (br_if $backDone
                  (i32.ne
                    (i32.load8_u (i32.sub (local.get $ip) (i32.const 1)))
                    (i32.load8_u (i32.sub (local.get $ref) (i32.const 1)))))
                (local.set $ip (i32.sub (local.get $ip) (i32.const 1)))
                (local.set $ref (i32.sub (local.get $ref) (i32.const 1)))
                (br $back)))
            ;; and forwards: eight bytes per step, then byte by byte within eight of the limit
            (local.set $matchEnd (i32.add (local.get $ip) (i32.const 4)))
            (local.set $refEnd (i32.add (local.get $ref) (i32.const 4)))
            (block $forwardDone
              (loop $words
                (if (i32.le_u (local.get $matchEnd) (i32.sub (local.get $matchLimit) (i32.const 8)))
                  (then
                    (local.set $difference
                      (i64.xor (i64.load (local.get $matchEnd)) (i64.load (local.get $refEnd))))
                    (if (i64.ne (local.get $difference) (i64.const 0))
                      (then
                        (local.set $matchEnd
                          (i32.add
                            (local.get $matchEnd)
                            (i32.wrap_i64 (i64.shr_u (i64.ctz (local.get $difference)) (i64.const 3)))))
                        (br $forwardDone)))
                    (local.set $matchEnd (i32.add (local.get $matchEnd) (i32.const 8)))
                    (local.set $refEnd (i32.add (local.get $refEnd) (i32.const 8)))
                    (br $words))))
              (loop $bytes
                (br_if $forwardDone (i32.ge_u (local.get $matchEnd) (local.get $matchLimit)))
                (br_if $forwardDone
                  (i32.ne (i32.load8_u (local.get $matchEnd)) (i32.load8_u (local.get $refEnd))))
                (local.set $matchEnd (i32.add (local.get $matchEnd) (i32.const 1)))
                (local.set $refEnd (i32.add (local.get $refEnd) (i32.const 1)))
                (br $bytes)))
            (local.set $d
              (call $writeSequence
                (local.get $d)
                (local.get $anchor)
                (i32.sub (local.get $ip) (local.get $anchor))
                (i32.sub (local.get $ip) (local.get $ref))
                (i32.sub (local.get $matchEnd) (local.get $ip))))
            (local.set $ip (local.get $matchEnd))
            (local.set $anchor (local.get $ip))
            (br_if $finished (i32.gt_u (local.get $ip) (local.get $matchFindLimit)))
            ;; index a position inside the match so the next search can find nearby repeats
            (i32.store
              (call $slot (i32.load (i32.sub (local.get $ip) (i32.const 2))))
              (i32.add (i32.sub (local.get $ip) (i32.const 2)) (local.get $base)))
            (br $nextMatch)))))
    (call $writeSequence
      (local.get $d)
      (local.get $anchor)
      (i32.sub (local.get $end) (local.get $anchor))
      (i32.const 0)
      (i32.const 0))))
