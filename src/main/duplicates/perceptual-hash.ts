import sharp from 'sharp'
import { MAX_DECODE_PIXELS } from '../photos/decode'

/**
 * A 64-bit perceptual hash of a photo, for near-duplicates (issue #12): the same picture saved again resized,
 * recompressed, EXIF-rotated, lightly cropped or in another format lands within a few bits of it.
 *
 * 1. The photo is decoded upright (EXIF orientation applied, as `decodeImage` does), alpha dropped, and resized
 *    to 32×32 sRGB ignoring its aspect ratio (Lanczos; libvips shrinks large JPEGs while loading).
 * 2. Features: the low-frequency 2-D DCT-II coefficients (orthonormal) of its luma (BT.601 Y: the 66 on the
 *    anti-diagonals u + v ≤ 10) and of its two chroma channels (Cb and Cr: the 15 each with u + v ≤ 4), 96 in all.
 * 3. Bits: the signs of 64 fixed linear projections of those features, centred (`PROJECTION`, `OFFSETS`). The
 *    projections are a linear discriminant (LDA, "LDAHash"): the directions that maximise the spread between
 *    different photos over the spread between a photo and its copies, uncorrelated over photos, so that each bit
 *    is a balanced coin between photos and rarely flips between copies. Plain DCT signs (pHash) flip under a 5%
 *    crop about as often as they differ between two unrelated CIFAR photos; these flip a third as often.
 *
 * The projections were fitted once by `npx tsx scripts/bench-duplicates.ts --fit` on the dev set's non-CIFAR
 * images (ood-dev: photos, documents, textures) and their six kinds of generated copies, never on the CIFAR
 * photos the bench measures with; they are stored as int8 rows (a bit is a sign: a row's scale does not matter).
 * Any change to the decoding, the features or the projections is a new `HASH_VERSION`.
 */
export const HASH_VERSION = 1

/** Side of the square the photo is resized to before its DCT. */
export const HASH_SIDE = 32

/** Hamming distance at or under which two hashes are the same picture (see scripts/bench-duplicates.ts). */
export const DEFAULT_MAX_DISTANCE = 8

/** Highest u + v of the DCT coefficients kept for luma and for each chroma channel. */
const LUMA_DIAGONALS = 10
const CHROMA_DIAGONALS = 4

/** The (u, v) frequencies on the anti-diagonals 0…n, diagonal by diagonal. */
function lowFrequencies(n: number): [number, number][] {
  const out: [number, number][] = []
  for (let d = 0; d <= n; d++) for (let u = 0; u <= d; u++) out.push([u, d - u])
  return out
}
const LUMA_FREQUENCIES = lowFrequencies(LUMA_DIAGONALS)
const CHROMA_FREQUENCIES = lowFrequencies(CHROMA_DIAGONALS)

/** Length of the feature vector: 66 luma + 2 × 15 chroma coefficients. */
export const FEATURE_COUNT = LUMA_FREQUENCIES.length + 2 * CHROMA_FREQUENCIES.length

/** The orthonormal DCT-II basis, rows u = 0…LUMA_DIAGONALS, over HASH_SIDE samples. */
const BASIS = (() => {
  const n = HASH_SIDE
  const rows = LUMA_DIAGONALS + 1
  const basis = new Float64Array(rows * n)
  for (let u = 0; u < rows; u++) {
    const scale = Math.sqrt((u === 0 ? 1 : 2) / n)
    for (let x = 0; x < n; x++) basis[u * n + x] = scale * Math.cos(((2 * x + 1) * u * Math.PI) / (2 * n))
  }
  return basis
})()

/** The DCT coefficients of one channel (HASH_SIDE² samples) at the given frequencies. */
function lowDct(channel: Float64Array, frequencies: readonly [number, number][], out: Float64Array, at: number): void {
  const n = HASH_SIDE
  const rows = LUMA_DIAGONALS + 1
  // Rows first: for each image row y, its coefficients u = 0…rows−1; then down the columns.
  const byRow = new Float64Array(n * rows)
  for (let y = 0; y < n; y++) {
    for (let u = 0; u < rows; u++) {
      let sum = 0
      for (let x = 0; x < n; x++) sum += channel[y * n + x]! * BASIS[u * n + x]!
      byRow[y * rows + u] = sum
    }
  }
  for (let k = 0; k < frequencies.length; k++) {
    const [u, v] = frequencies[k]!
    let sum = 0
    for (let y = 0; y < n; y++) sum += byRow[y * rows + u]! * BASIS[v * n + y]!
    out[at + k] = sum
  }
}

/** The 96 features of a HASH_SIDE × HASH_SIDE interleaved 8-bit RGB image (see the module's comment). */
export function hashFeatures(rgb: Uint8Array): Float64Array {
  const pixels = HASH_SIDE * HASH_SIDE
  if (rgb.length !== pixels * 3)
    throw new Error(`Expected ${HASH_SIDE}×${HASH_SIDE} RGB pixels, got ${rgb.length} bytes.`)
  const y = new Float64Array(pixels)
  const cb = new Float64Array(pixels)
  const cr = new Float64Array(pixels)
  for (let p = 0; p < pixels; p++) {
    const r = rgb[3 * p]!
    const g = rgb[3 * p + 1]!
    const b = rgb[3 * p + 2]!
    y[p] = 0.299 * r + 0.587 * g + 0.114 * b
    cb[p] = -0.168736 * r - 0.331264 * g + 0.5 * b
    cr[p] = 0.5 * r - 0.418688 * g - 0.081312 * b
  }
  const features = new Float64Array(FEATURE_COUNT)
  lowDct(y, LUMA_FREQUENCIES, features, 0)
  lowDct(cb, CHROMA_FREQUENCIES, features, LUMA_FREQUENCIES.length)
  lowDct(cr, CHROMA_FREQUENCIES, features, LUMA_FREQUENCIES.length + CHROMA_FREQUENCIES.length)
  return features
}

/** The 64 projections, row-major 64 × FEATURE_COUNT int8, base64 (fitted by scripts/bench-duplicates.ts --fit). */
const PROJECTION_BASE64 = [
  'cgIEvv2f9v789v/zfwAkAQgcEP4O/RvhAuH29QkF8u308g72/AAH7R31FfMB/QAI9A0NAwcMA/vw8QgIBQgCBPv66O/xEg0JHOsK',
  'AvwCCPYJ2uUBEwYd/AYLCxIK7gMFCwILAQIC+wUL+vz/Dvr+AwABB/wB//kHBvsHAwP5AvwF+gf+/AL8/gkBBv/1BPz+BP0HAfj7',
  '/QEH/vwKAPwI9/oGne0cNP9KAgUFAvn5yAD7f/UBnQe1BwIE/g/5TvPyAgX7CvsR/AMEB/b/Ag/w+P0E+//4APsH/Av0BQf+BP3/',
  'AwAEAAMAAAgJ9gUB//79AgMD+/0D+v/+AQAH/gT/AwH8fw/jxv+0/QPvCvoNMgACcvwCxQTHCPT/APkDJwLz/vm61H+TDDPkFC3D',
  'FLdcA/IKvhAY9ADeUZQP6/j59iPw3/n2DPwM7gvZK+8CAxYE9v34ERbqCvgOAgTzFswj+vkPJxojD+cCEAb8DPT+Ewr5NPfo4gLO',
  '/QL9AvwBHwL8A3/gI1AioDXbHbr0Bero2utX+AMLA+ceWRfnCBUA+BkJ9w37EPLt+AXd+RL9BQAI7QUICQoF+AMMD/0TJwQDAQT5',
  '6k8THAck/BUW9AILEwDt0uMx493/U9cSBQb5xQ/9/x/Z84Gx3xX4EvxR2Ek1Afcj9vULBg4TjerzAvwX3QsC8PzpDQnsHMwlGAUE',
  '+u8O/wcDDwn3D/3wDAQG4/39DAAECgkeBwEABQAY7gb98gT7GAXW4gDeDBX1G/r3Cf38ARZAgQM378Dy2G/W7P/KIRQbRvr29xCr',
  'GEcHB+UU898K/QD0+v0j6N/z2QgOAfYMFQIE/+z4BQIFCv7jER8FCwv5ExzV+PvjCRYQEP32/wb1GPsK2AzsCA7n7wv7E/oL/O+B',
  'vPtvHk7EdUDo3y6eBcMKhjbUBCXhv2/9KQcBByXl/fYM7AYjBOo+ygzjCA780gb6GSn5DvcB/A7+3hQNA/0D6udICxElIsP53v7j',
  '+wj39kPVTAENqSfIItDzBwonAO36Awf/EfMY+P7m8CLq9Q7r+A4KBhUD6RfpGAwJB/v/+O/3Bv4L/fYh9/r99fcCAf39DgQKBPX8',
  '/v4F7wj9CwH9AX/+He00xgQLF/z/CQPq+OQi/v3XLu325wUN7f8F/fzbHw/PKoeXGNfMgdUY0ToLC0cRGzJKPE8G/BAeH5nBNQgL',
  'A/z9yJHVCwj6/M/zIgnnAfwG//0MEx4SCxIF7PULBOUn+AWyENgE2PsTu/f/LBJIHvIR5SEL6h36MR3+AegZ+fv5KGKsgRI/3YPS',
  '8dEv2dpi994b/hoyL/ruGEve5jTiBA4BN9nDwgfhBBfrAQbj5QH8APsK+u4OCAD8NBEeAijk1/v8zxzuAA735fcBEsE9JQf9C8kY',
  '7t/LF/zrAerMBKQfOcKZZ/RATb4E2TIl/Pqt9eruGrxJ6wwOK77GPD4o6xL2BFexQAT7CP0AFwr45OsX9g3v7cX2LOP02+kK930B',
  '6eA5xfcNCAL7FEXV75ZdDh3VS9YkgSH3BO/wAPcDDfP79+GL3ALFNTMBEAst/H9C7zEJy/vYKPYHCO2H89P9AgTk9Rcv3QXhCxIO',
  'C+r9SBgH1wEHFRUT5Q30Fv4BGtsHQPM1MRsvGdwN+v/tAOTFAloEDQL+Bwnn59UH/wPiA+kAIt0kxusSH9bjxij8LqZcAhD1KQYX',
  'Mg8CMdoc3DbQBfX/2x3xyPO3BALS/C3w5w7yDvr99A73IAXwIfQlHA57YUYSH+wfzAbjTvUc92yBs8TuoTOTJzYs+S0F/+om+gL+',
  'HTvhFRAF1Nlc8MsFIxHSARsQC1IajBMFDxECIwv95wASH4zqKf8/8Pbv9O4ZAc/3/AgIAvIM9GH53fPuEexmfwb0+RP4tdoTKw1D',
  '6r2CrRLjWPUNVx4PxO+wAQcdBRb5BSDgIvk6/O6z3Pbt90WcB7MBF/biLQrVAhXcKMw6Awz2PSDbGAow9x4B/+cPNeUf7Pj4CLoA',
  'LOcC6RvuCnLbLs4EIM498uAiyBbpCnyBuTo5k3iJbCWtKRkN//z/D/35vOn3EAsB7ZASUd7RFhMP6UkZ8f9hAN8g9/YOCRX1Def5',
  'Ee66L/vgCAMY4tUGABQBAfQLAR8Jyvwn6eQVHF/I0gd/CDINM2kPRAHWCXb4GBffiRXH8e/X7gMCAQb6BfkDBvf89/IGGvol/fb/',
  'CRcSEfbu8Q8W1hMKCf4H/OoBAgn/BwQG5/kE8Pjz/vn+CQACAQQA/Pnz/RcM/wQAAn8k6vDr0PT11ikQ+gUYHD/gOftV/SnsLOj8',
  'IA/2AArqAvUEEgsA9AjfDv8D8vbHFwQR6BEJ+gUr+P3/Q/chA/DuEfH5AeoEAe/8BQHo5uIB7+4VFAIGCwYQ7BIS+QkK8uWX6ZXV',
  '8/MPN70r2SDy8AAPsX8iHxn66DOlHOLoARcU8/77JgP78RAG8gky1ikRyR4O5v0m2+EV5vbrKgbvJtXvDgL2Dun6KeAPE/jgJxPf',
  'DvH+CQcE/BgZ+vIf8RL3AhrsBgkw/DrkHPD8Fwjd/H8/ELrkjqAB4/Io1wwB//7rAhAM/ucZ7xsf//n5BSYa9dUT6Lw58vf06O8B',
  '/uXuARD7CBvxMt7wBQ4mF+73LhjyAf7+AwMQ8tUsDAMOAf/1D+US6bZ/9A7vIRxA8BrjDPmHKEEyHjg1Mf7VJeYbAAD6+QYJ9/QH',
  'AxQr797/FjDW4CAO7/YN+fAMDOvhI/0H9PoGDQQDGQTrAgrqCBD7G9PnKwz49f//AAMG6uwYDQMIEeY7fz/SGvQb9dTnGugmEscz',
  'CuRxR/gl/hQFAxC7/QkH5yAR9fkLEKw6DMf5Ae0zKgbnebQXsRRBPEoFyAIq+bxF61G8HugW+s7LsxLx7+8YBNYW4vHnHuoE1jJV',
  '+iYBFoPoQqknBjrGQtf3dCEV/+V/+ib57d4TpvXuqufbAP0BAgb69v7wFQQWAPYF/x/iBhAA9ugR7AACGAXiIfH79v73AwPzIeb8',
  'BPTwABTuJNv9CwMA/PsDCO8W5woTCwcD7e8AgS3lBOHy4krd/9776ubVxee0H/nsJu4k9fcc/+cK9ugW0hjx0L2VD/X5+GDQgb3z',
  'NlUQBAXcoC71UCADNQsE9g270fsF/TJY2vjLK9Oe4fMl8/L5CjLmzRb28QvpB/iU5wcuMOs6ODgLCS7sDcjG7O5bvlzrPOFB3wbG',
  'APrzBfAA+RLu+wH+ERH3LujvG+ftB9En/gPq8dsKFQr4AwsO8QzRH+cU+PwUDQMH/vAM9OoFCQ8MAuoNFR/m+wP7ACokJ0TpA/gW',
  '9rvz7v4HAR9L+4Hx6wXE1kRCCBczAf73+fwZ/vYR5fbXBfnuNg48x/ocIxQg9dZaJvcg2/AEJwH04wLy8RPwJdPF+PYWHiPs2/Tp',
  'BgYLCwEP7dU47wQj6TwLBhSB5sMf7bwU3x0c7AaRvAbqNfnfNxLsC+H2APcHAQ4B/QkIFfgk9womFTgW6t0c8dbgBzfUAtfQ2+z+',
  '8y379Rr6++oM5QbuFCAOHhEB+gng9Az7Bg3nGC/oCvr69lr+B4GVLuDwzR4sFS0d9T8+mlIZm9AM5jas7BfUAPUO7B8p+RDvDfA/',
  'BwA60uoXLQZWCs8h5N3p1z4z8SDvyxym/R/yGgb7avzt6ejqyvkOHU/KJffd5PcBFPIM0c759/mBBCXUyARVOajPryWzAs3dz7sp',
  's12qCPkZUu8i/wD7/vP+6Af/6PUM8A8YFArcAxY4GsLTJxk35gTr/+4DH93q9gwsCBAL/s379RkQHOz0DPUTCfoX9PTqGQYACQ0B',
  'ANofF6YUOtwl1fv10y/A/eszPgOr9fjrIcN/8NlMAPwI7+oEHhb3EO4T7kUULA7sCwz6IN4PfxLCIuPnHAQVxQQHBQnPtfneAB7D',
  '8xoBB+AdGQv26/0EEBH0Sw749AMd/QiotwVz9HFVMAvh/R+x+u6PCCIfLgnqQvgGrQfLAQTx+woFCNj04e//8fT0E+zv9/3n7s70',
  '7Pjk6OInLyP66wk4ISIdGiUXGR8KDeryxPvR/Bjp7fn84+3GCQEL3uz68vM93snG6mwBwBErzV477Q+m6RG0GYHn9e3eo7vL//kJ',
  'A+oB5wgLExDZAijx7Nj+D+sG1u8jKffqOhIsLvoQ/uEUKwTiEeXaDg+0BdjUIQMe2Q4g0+EUBM4TJfIZ+PYm/wh/NYO+H68WGxxO',
  '0D18/P9aYd0T2OrzraETGde4AALx5gwoCRIFzu86CyjVBgbxJCA0/CsfFsT82PHm8t395bcD9425yg0aX+5I7/Qe8N5MDeFTCgAO',
  '6SdJWs/E7Dbn/BVOFN2hTN2Ll20GPrtB+gIf+En72tp/LMzfvAcVAPru/AUA/O7g/RUX9vvyBurl7AAcAOXZ/ATXByEG4+0CNeXY',
  'A/AOIgApBe364wEVDwXz0f0xGugHEucg/ee0IPgG/xurCRTmvDZYNOkBExAQ+RvU0dcuICinA9fngfqJ///h/94H2+0z5hX9CfX6',
  '6OoGyFgZ8+ogRw1MzhIp4wTI/tjeBSDjAuLZ0909B/Hh4iD0cBbjIAX5FcEeNS/s/Qnk7dgW0U69jC/5QfIjE6kX6e7/tPLhyYEd',
  'xC+y5iHfAQD4APf9BgT/8AsD+BP4Be8R/BADCvj+Eg37//cIA/8LAAoX9wEeCQDpE+Ud/v/07fnZDv7X9v8F5e8DEdwg4wH2BALD',
  '+QUEN4EfDjTmeukc/+cn5gkSJ2bp8hlDEdLp//4C/fkABwH8CPra9Bb49+P8COr+CM4D9t4UCe8QFvbaCh3Q3xsVBPwRCOreFwYA',
  '+wojC/3xKBoU8dQHBQULBgcOCQoK5V0wJgXjGEnjOOE6CA4fzn9eAdUEMT/k56MOAAP6+PoGCe8NEP3xAgQc/f8HCAEBA/kf//X8',
  '3grJ8iwJ/QQmDejvJQcD3hsR7SQP/gf36PT/3e4mCegC/wK9Hfb6BOoCEFzKKDJVQn/eDsVO/+AGJU3YBQfE3OOfesosAAUM9wgD',
  'CfcGAfESCvgSB+Ln0xYjCQnyBxjmAv0hAwgTSvPkAPbpEAQADwPvA/US8v7jDfkMBQT0AvT4Hf/Y9t4EBdxVvDc/+IG7EvkS4OkI',
  'AfI940n0CgQCvhunG+3yAQIF/AkGBgIS7QsJEebsAOPl6BEOFwME4fIJBQIhB773JEjv9B/42+4cMwH98yccHQEcJxqx/vv7HycZ',
  '/R4GxeQIBMofC4/NVC1nA1RiLX8pBasKQIffH+HzzOrXRBgN/wT6BAT/CgIH/u8NAwYE++0RChjr5/AI+wcU7e3j+t4OEiX0DwLh',
  'AQQQ++72BR34BgEUDOjJCAX3CfUM+gQT+u8OAAjlEzP6787cMc7uv/Lz/gsDOgvt+jH074Hy3Qyz///9+/r+7ukLGgz1/CrlB/Dw',
  'IuceLucIKffeCBqmHhgdBDLIttXcOxjjHCEX8TvOE+DuACHQGxUeIPTq9OUG2OYK/RgZM6fs5EmB27AxA+Aj+E0IIg/a8qooGNXw',
  'Dwv1AP8EAAH/+wwEAgj7/vX+Ag8AGPD8EAwTAO/39hf9+wUD7hD0AAMC/wXr9Q036fwA9BIG/An6F/f4+R4R9PIRExfv/QtQ2EME',
  'YdA07ebNgTH3/wZCB2Lp6Qf72hDajL7HAQQHAPb7+yn+6AX6+hP57CzrFBQVGfDxC/oTDwUR3+Qn9xoguwgs5whABBUUFdI3L7kf',
  'Ffre0zDm09f/4P3oEeL5AQkPu/YcngXccwgi5wRbARvGENTklVoPglUIGAyBAPj4Avn6+uT8CQfv/A4B9M3w8/sZ+twJAggQBf8A',
  'AuwgMQAq/yQtwuYX5+4aAzcJ6OD7//8R1/sL3BoMEv4NDR3w+xXsH0r3TH+OGbbvD9zn//SyDwf02gss/P3v+84UAAMKBgn+BAEN',
  'EQITCvHr9QQGDAoH7xMC8g0X9OTL+SAL+90Q1skIB/bl9ev/HBHlFhvj6CwI8ycb0AgR8AL/3w0DAeEn39sp1Rl/JfHaCnnTBtEC',
  '6u82F/DWzh467MfTAPz1Cv/4//zj5gAL/CcL+C7q8SDI/QHuDhH9EOb+5BtL2/Oy89PSAA/z7YEBB9AC3e3O1fXjUgrAMc79IM/8',
  'LD74CstJAAM8TWnZtv1OUGHqDKe3Mtcn9+a1z+6afdkGAPv5Av////316AEJ/AsEBAwHAOkCCO7i9A//5AfXAfT84uD9AhT8+gvw',
  'Gfz2+h3+BAQI9hEgAvgXKSPXFQcvyQcWBQgt20cfMNIVfwsi57wzBQD12f0nHfAGshHg+RkQAAMSBvn8CQH5FersAgnrIA4E8gEm',
  '9uAH+AAx4QsPGh8duxGBLR4SKRMC8eRm8AsSFv8xolwhQuvr2+z08v/YEzXNB/UTRMTW+gnPTDKyVynvBBPlA9LB/XJ4g1LqFSdG',
  'AAIE/AgG8BP+B/sLBCHqFwv3FwT1ABMCDAMRDRzvBAnYIBIMIuIO7/32+N701vsACf/2/O7y/Nz75SEEFwgI//D9BPMFwQUyyUq0',
  '6Bzj7TxUBA/srex/xfwZ3TBGT8qc//cMAwv69QjyEQoK9RgBCv0FBvQECvIeDuouB/3lOAD0If3/6O8VvwxP58IYBga83fsQGukH',
  'Bwz73gf0Qf/jHSrb/w0s58jmtMx/MUBE4hU8/iMe8e/lPDMP9guRxVwzAP4DCAb5CAX4BQsK+PP0/xAH+/T56/MMDQH/7A745A8A',
  'HuXoBP/I7vkB6CTn/P4P8/fnIP4OIALtCwH3/PclF+IMACH/O/6hETMqNzW5JVxo/y/pPkWBBEtN9DpX9aRkAP8EAPn/AhAFAxXo',
  '/gf95/8LABAM4MsHEvccCgvy1R8uHSIjNhPK3AZdPPLd/xL73AsI9QnC2OIFOvf9xQvbqvENBAZT6CZKxvMH8Q3PMtjTBvBKzUAe',
  '9fHeRn/uxOxjAP8FBvj/Aw8EBwEJCfb2Bg34Cf4m8Qb2EhH6B/YdCuoGD93/8xX47wn3DeYiCtT0FQkE7QwN8RfXBSj28wYr7A7h',
  'BgH0KXvc+lnI0Cvuz/wrAvgKMSH5UQCBJNauGKwBAAIDBgj59goACv4LAwn9AijzCfD6EgDs/w7+DvYHFA/c/wz5Ct8fBer4J+vk',
  'COrsCf7vAP/6BfIT6vr6+Qzr4xASAQPhVT+0+/PrL7X2GcgcAPjRf2CRzf39Cuq7+xwEAAD//fYCCfX3Bvn69+AMAO0C7eEN/O/o',
  '+PnuDO7x8hve/fQVDfnk7f3xHboSECgTox35Cx8G3Q88TO4E2R4UBkPl/gXNA7zt5eKdCCK/u2RR/AHbE6ny138WyiVI5xehAP8F',
  '/gUB+AHt8gT6+QgAChrp6fjwCA4F8vb98RH/+v/13xof9Q4O6fXi+g4E8CMZ9v798iYC5wUC/AAkHPn/Cfn4AwgTMvn2kMSs/+Py',
  'JQfxARIUEDf38fyB5rb389tBAPsEAQ37/wTyAAIJ/Sf9/wXu9AANDf728wUn6f4j+voQ8BceCrrrChbv7RUQD8jxIhgB5CzYw+sw',
  '9ckRAfdKHtbrAQAD+SINX1cG8AlG1cEJAP4O4evrOzEgCjnpqn9FAQEECO/8BgQLCgz3CeH5EBYIEQnzD90E/wv+9/MiAhYP8vfw',
  '2QEGv/4m+Ar39+/b+xDb+gkT+PYB6t8k5/XfAekBBAjd/gf2RZazfXI4gQ/sAxbo0cJW8KV0SZMy6uM0AAIG/gX0CgYBHAnP6gn/',
  'APj5Iws2+7DuxQ1lLcnfJx7LKhIa2Sav2g0X8H839LjIyDg2s0cEKwnTWOXMOeMLR8Lv+uidDxwS1ZYG9cv+Sx+eAMybD9AHv9FA',
  '9NwpCteWAAEB/wj9B/n3DvcR/vkB8u7yEv/6/BUCAffvCvQG7QEW/Bj/EQfw+wnb9fIfCd8MH/bf8hf+G/sEEETt4g8EEhjtAAT7',
  'Bcr0tIImf8Ni+596AAPj8/z34K8UZuxW5bJmAP/8AwX57/YB/ggS9/4ABwT5DBP8Fu0MCv3i3gkMFPwB9Pz68Bjk4x0N1AL+Kgjp',
  '/w4ly+Ue6vUK6Dr48NsXGyzy//DpBw0W0bj//cLhYAjr/9zkLSP7pr8ANw/7ZeaBAPsPA+D6Bw/4FvzT8+b1+SD6HPsZ+fEH6vT8',
  '6gr+6P3/BP/lEPQC9wfq2QQKBPsXA+ccJsHd7OorAfDqKeIYBQr///0G9hMv6M8ZAoFdblrfAfv2BLANCtT7CJrBEOX7',
].join('')
/** Each projection of the mean photo's features (float32 little-endian, base64): a bit is 1 above it. */
const OFFSETS_BASE64 = [
  'VmcRSaS/vkd1/dVFHwChxnRI7kav1tvFUTisREMkTcaB3mVFDyPAxnQnvUUEjXZG5321Q/nu5MXScZ7FUtxuRUHgkcVicgNGQUow',
  'RKqRq0VMyNLFbvbsQSLzu8bBqXhDpZGYxRG/JEQM6gBGU3rARDvykEWSxZTFDkQ8RJKMs0UNq6TF/NpTwwL4qsRPnNLFOpGqRb3h',
  'ycVYotREvNXwQ1PYl0W5IrPFWkTFxQdSJER4EqxFkdn6ROFsu8Tx+35E/NNqQ1V/EcVOPdDE18u+xXBR3UIrcYdDWvmXQv41D0Rk',
  'F3dDjTQMxB2qLsQREJ9FuoLpRGTXUMIdrZzEXRLuxA==',
].join('')

const PROJECTION = new Int8Array(Buffer.from(PROJECTION_BASE64, 'base64'))
const OFFSETS = (() => {
  const bytes = Buffer.from(OFFSETS_BASE64, 'base64')
  const offsets = new Float32Array(bytes.length / 4)
  for (let i = 0; i < offsets.length; i++) offsets[i] = bytes.readFloatLE(4 * i)
  return offsets
})()

/** The hash of a feature vector under given projections (rows of `features.length`) and offsets; bit 0 is the top bit. */
export function hashFromFeatures(
  features: Float64Array,
  projection: ArrayLike<number> = PROJECTION,
  offsets: ArrayLike<number> = OFFSETS,
): bigint {
  const n = features.length
  if (projection.length !== 64 * n || offsets.length !== 64) throw new Error('The hash projections are missing.')
  let hi = 0
  let lo = 0
  for (let j = 0; j < 64; j++) {
    let sum = 0
    for (let k = 0; k < n; k++) sum += projection[j * n + k]! * features[k]!
    if (sum > offsets[j]!) {
      if (j < 32) hi |= 1 << (31 - j)
      else lo |= 1 << (63 - j)
    }
  }
  return (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0)
}

/** A photo (file or bytes) decoded upright and resized to HASH_SIDE² sRGB pixels, interleaved RGB. */
export async function hashPixels(input: string | Uint8Array): Promise<Uint8Array> {
  const { data, info } = await sharp(input, { limitInputPixels: MAX_DECODE_PIXELS, failOn: 'error' })
    .rotate()
    .resize(HASH_SIDE, HASH_SIDE, { fit: 'fill' })
    .removeAlpha()
    .toColourspace('srgb')
    .raw({ depth: 'uchar' })
    .toBuffer({ resolveWithObject: true })
  if (info.channels !== 3) throw new Error(`Unexpected channel count ${info.channels} after decoding.`)
  return data
}

/** The perceptual hash of a photo (file path or bytes), as an unsigned 64-bit integer. */
export async function perceptualHash(input: string | Uint8Array): Promise<bigint> {
  return hashFromFeatures(hashFeatures(await hashPixels(input)))
}

/** Number of differing bits between two 64-bit hashes. */
export function hammingDistance(a: bigint, b: bigint): number {
  const x = a ^ b
  return popcount32(Number(x >> 32n) >>> 0) + popcount32(Number(x & 0xffffffffn) >>> 0)
}

/** Set bits of a 32-bit unsigned integer. */
export function popcount32(x: number): number {
  x -= (x >>> 1) & 0x55555555
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333)
  return (Math.imul((x + (x >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24) & 0xff
}

/** The hash as the 8 big-endian bytes the database stores. */
export function hashToBytes(hash: bigint): Buffer {
  const bytes = Buffer.alloc(8)
  bytes.writeBigUInt64BE(BigInt.asUintN(64, hash))
  return bytes
}

/** The hash from its 8 big-endian bytes. */
export function hashFromBytes(bytes: Uint8Array): bigint {
  if (bytes.length !== 8) throw new Error(`A perceptual hash is 8 bytes, got ${bytes.length}.`)
  return Buffer.from(bytes.buffer, bytes.byteOffset, 8).readBigUInt64BE(0)
}
