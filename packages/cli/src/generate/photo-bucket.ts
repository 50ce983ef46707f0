import type { FileInfo } from '@shuttersense/inventory-core'
import { SeededRandom } from './random.js'

/**
 * A realistic photo archive: `year/event/part/` folders whose names have spaces, commas, accents,
 * `+` and `%`; each shot as CR3 + JPG + XMP with camera-like sizes. Objects come out folder by folder,
 * sorted by key within a folder, so a caller can stream them.
 */
const EVENTS = [
  'Wedding',
  'Milledgeville, GA',
  'Smith-Jones',
  'Family Reunion',
  'NYC Trip',
  'Café Déjà Vu',
  'Paris+Rome',
  '100% Fun',
  'concert_night',
  'Zoë & Kai',
  'Graduation',
  'Beach-Day',
  'Portraits',
  'Birthday 40th',
  'São Paulo',
  'Street, Tokyo',
  'Ünïcödé Show',
  'Snow 🌨 Trip',
]
const PARTS = ['Raw', 'Edits', 'Selects', 'Ceremony', 'Reception', 'Day 1', 'Day 2']
const STORAGE_CLASSES = ['STANDARD', 'STANDARD', 'STANDARD', 'STANDARD_IA', 'GLACIER', 'DEEP_ARCHIVE', 'INTELLIGENT_TIERING']

/** Options of {@link generatePhotoObjects}. */
export interface PhotoBucketOptions {
  objects: number
  seed: number
}

/** One folder of generated objects. */
export interface GeneratedFolder {
  path: string
  files: FileInfo[]
}

function randomDate(random: SeededRandom, year: number): string {
  const start = Date.UTC(year, 0, 1)
  return new Date(start + Math.floor(random.next() * 364 * 86_400_000)).toISOString().replace(/\.\d{3}Z$/, '.000Z')
}

/** A shot's three files: the raw, its JPEG and its sidecar. */
function shot(random: SeededRandom, folder: string, number: number, year: number, storageClass: string): FileInfo[] {
  const base = random.next() < 0.15 ? `DSC ${String(number).padStart(4, '0')}` : `IMG_${String(number).padStart(4, '0')}`
  const lastModified = randomDate(random, year)
  const multipart = random.next() < 0.3
  return [
    {
      key: `${folder}${base}.CR3`,
      size: random.int(20_000_000, 35_000_000),
      lastModified,
      etag: multipart ? `${random.hex32()}-${random.int(2, 8)}` : random.hex32(),
      storageClass,
    },
    { key: `${folder}${base}.JPG`, size: random.int(3_000_000, 12_000_000), lastModified, etag: random.hex32(), storageClass },
    { key: `${folder}${base}.xmp`, size: random.int(4_000, 12_000), lastModified, etag: random.hex32(), storageClass: 'STANDARD' },
  ]
}

/**
 * Yields folders of generated objects until `objects` objects exist. Like real archives, each event
 * (`year/event/`) holds about 1,000 objects in 10 to 50 sub-folders (`Raw`, `Card 07`, …) of about 33
 * objects each, so an inventory of N objects has about N/1000 events and N/32 folders.
 * The sequence depends only on `seed` and `objects`.
 */
export function* generatePhotoObjects(options: PhotoBucketOptions): Generator<GeneratedFolder> {
  const random = new SeededRandom(options.seed)
  let remaining = options.objects
  let eventNumber = 0
  while (remaining > 0) {
    const year = 2010 + (eventNumber % 15)
    const event = `${EVENTS[eventNumber % EVENTS.length]} ${String(Math.floor(eventNumber / EVENTS.length) + 1).padStart(3, '0')}`
    eventNumber++
    const eventFolder = `${year}/${event}/`
    const partCount = random.int(10, 50)
    for (let part = 0; part < partCount && remaining > 0; part++) {
      const name = part < PARTS.length ? PARTS[part]! : `Card ${String(part + 1).padStart(2, '0')}`
      const folder = `${eventFolder}${name}/`
      const storageClass = random.pick(STORAGE_CLASSES)
      const files: FileInfo[] = []
      const shots = random.int(6, 16)
      for (let n = 1; n <= shots && files.length < remaining; n++) files.push(...shot(random, folder, n, year, storageClass))
      files.length = Math.min(files.length, remaining)
      remaining -= files.length
      files.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
      yield { path: folder, files }
    }
  }
}
