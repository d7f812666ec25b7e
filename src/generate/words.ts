/** Vocabulary for generated names: plain ASCII, accented Latin, CJK, emoji, and the real files' oddities. */

export const ASCII_WORDS = [
  'Love', 'Night', 'Dream', 'Fire', 'Heart', 'Blue', 'City', 'Rain', 'Dance', 'Time', 'Road', 'Home',
  'Light', 'Shadow', 'River', 'Summer', 'Girl', 'Baby', 'World', 'Moon', 'Star', 'Gold', 'Wild',
  'Lonely', 'Sweet', 'Broken', 'Angel', 'Devil', 'Highway', 'Ocean', 'Thunder', 'Silver', 'Morning',
  'Midnight', 'Soul', 'Rock', 'Paradise', 'Memory', 'Winter', 'Train', 'Window', 'Mirror', 'Letter',
  'Storm', 'Echo', 'Garden', 'Tears', 'Smile', 'Freedom', 'Crazy', 'Electric', 'Velvet', 'Stone',
  'Diamond', 'Horizon', 'Satellite', 'Machine', 'Sunday', 'Tonight', 'Forever', 'Nothing', 'Again',
  "Don't", "I'm", "Can't", 'You', 'Me', 'We', 'My', 'Your', 'All', 'No', 'One', 'Never', 'Last',
];

export const ACCENTED_WORDS = [
  'Café', 'Señorita', 'Corazón', 'Mañana', 'Été', 'Für', 'Über', 'Noël', 'Ça', 'Déjà', 'São',
  'Łódź', 'Ænima', 'Øresund', 'Niño', 'Canción', 'Fiesta Añeja', 'Rêve', 'Mädchen', 'Straße',
  'Ñandú', 'Piñata', 'Ångström', 'Crème', 'Naïve', 'Señor', 'Olé', 'Dvořák', 'Škoda', 'Élan',
];

export const CJK_WORDS = ['東京', '夜空', '愛してる', 'さくら', '사랑', '月亮', '夢', '花火', '青春', '星空', '우리', '北京'];

export const EMOJI = ['🎵', '🔥', '💔', '🌙', '😀', '🎸', '✨', '❤️'];

/** Titles and names that the real catalogue writes as JSON numbers; each prints back to the same text. */
export const NUMERIC_TITLES = [4.6, 1999, 22, 911, 3.14, 7, 2012, 99.5, 1979, 8, 21, 505, 0.5, 1234];
export const NUMERIC_ARTISTS = [112, 311, 702, 98, 2, 1349, 3, 10000, 4, 38];

export const TITLE_SUFFIXES = [
  ' (Live)', ' (Remix)', ' (Album Version)', ' [Explicit]', ' (Radio Edit)', ' (LP Version)',
  ' (2006 Digital Remaster)', ' (feat. Someone Else)', ' - Single Version', ' (Acoustic)',
];

export const FIRST_NAMES_F = [
  'Kaylee', 'Lily', 'Chloe', 'Tegan', 'Jacqueline', 'Mohammad', 'Aleena', 'Ava', 'Emily', 'Sophia',
  'Layla', 'Rylan', 'Jayden', 'Katherine', 'Anabelle', 'Zoë', 'Renée', 'Chloé', 'Maia', 'Harper',
];
export const FIRST_NAMES_M = [
  'Walter', 'Jacob', 'Ryan', 'Kevin', 'Matthew', 'Noah', 'Lucas', 'Dominick', 'Cienna', 'Jordan',
  'Liam', 'Aiden', 'Sebastián', 'José', 'Connar', 'Wyatt', 'Ethan', 'Elijah', 'Mason', 'Caleb',
];
export const LAST_NAMES = [
  'Frye', 'Summers', 'Koch', 'Levine', 'Smith', 'Lynch', 'Cruz', 'Kirby', 'Jones', 'Williams',
  "O'Brien", 'García', 'Müller', 'Nguyen', 'Moreno', 'Clark', 'Harrell', 'Robinson', 'Owens', 'Hayes',
  'Larson', 'Fox', 'Benton', 'Miller', 'Hernandez', 'Perez', 'Stewart', 'Morris', 'Walker', 'Young',
];

/** US metro areas, the way the app logs them. */
export const USER_LOCATIONS = [
  'San Francisco-Oakland-Hayward, CA', 'Portland-South Portland, ME', 'Lansing-East Lansing, MI',
  'Chicago-Naperville-Elgin, IL-IN-WI', 'Atlanta-Sandy Springs-Roswell, GA', 'Phoenix-Mesa-Scottsdale, AZ',
  'New York-Newark-Jersey City, NY-NJ-PA', 'Waterloo-Cedar Falls, IA', 'Tampa-St. Petersburg-Clearwater, FL',
  'Janesville-Beloit, WI', 'Birmingham-Hoover, AL', 'Detroit-Warren-Dearborn, MI', 'Red Bluff, CA',
  'Houston-The Woodlands-Sugar Land, TX', 'Los Angeles-Long Beach-Anaheim, CA', 'Seattle-Tacoma-Bellevue, WA',
  'Winston-Salem, NC', 'Marinette, WI-MI', 'Santa Maria-Santa Barbara, CA', 'Nashville-Davidson--Murfreesboro--Franklin, TN',
];

/** User agents from the real logs: some wrapped in double quotes, all with slashes. */
export const USER_AGENTS: readonly (readonly [string, number])[] = [
  ['"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_9_4) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/36.0.1985.143 Safari/537.36"', 11],
  ['"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_9_4) AppleWebKit/537.78.2 (KHTML, like Gecko) Version/7.0.6 Safari/537.78.2"', 8],
  ['Mozilla/5.0 (Windows NT 5.1; rv:31.0) Gecko/20100101 Firefox/31.0', 8],
  ['"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Ubuntu Chromium/36.0.1985.125 Chrome/36.0.1985.125 Safari/537.36"', 6],
  ['"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/37.0.2062.94 Safari/537.36"', 6],
  ['Mozilla/5.0 (Macintosh; Intel Mac OS X 10.9; rv:31.0) Gecko/20100101 Firefox/31.0', 5],
  ['"Mozilla/5.0 (Windows NT 6.1; WOW64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/36.0.1985.125 Safari/537.36"', 5],
  ['"Mozilla/5.0 (Windows NT 6.3; WOW64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/36.0.1985.143 Safari/537.36"', 5],
  ['Mozilla/5.0 (Windows NT 6.1; WOW64; rv:31.0) Gecko/20100101 Firefox/31.0', 4],
  ['"Mozilla/5.0 (iPhone; CPU iPhone OS 7_1_2 like Mac OS X) AppleWebKit/537.51.2 (KHTML, like Gecko) Version/7.0 Mobile/11D257 Safari/9537.53"', 3],
  ['"Mozilla/5.0 (Windows NT 6.1; WOW64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/35.0.1916.153 Safari/537.36"', 2],
  ['Mozilla/5.0 (compatible; MSIE 10.0; Windows NT 6.1; WOW64; Trident/6.0)', 1],
];

/** Where artists come from, as the song files write it (free text, sometimes odd). */
export const ARTIST_LOCATIONS = [
  'California - LA', 'Memphis, TN', 'Nashville, TN.', 'London, England', 'Berlin, Germany', 'New York, NY',
  'Chicago, IL', 'Detroit, MI', 'Kingston, Jamaica', 'Stockholm, Sweden', 'Paris, France', 'Seattle, WA',
  'São Paulo, Brazil', 'Montréal, Québec', 'Tōkyō, Japan', 'Reykjavík, Iceland', 'Zürich, Switzerland',
  'México D.F.', 'Hamburg, Germany', 'Dublin, Ireland', 'Glasgow, Scotland', 'Atlanta, GA', 'Austin, TX',
  'Minneapolis/St. Paul', 'NEW ORLEANS', 'Somewhere on the road', 'Los Angeles, CA', 'Denver, CO',
];

/** Garbage that turns up in log files instead of an event; none of it is valid JSON or blank. */
export const GARBAGE_LINES = [
  '<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>',
  '2018-11-03T04:12:55.120Z ERROR collector: connection reset by peer',
  'undefined',
  'NaN',
  "{artist: null, auth: 'Logged In'}",
  '{"artist":null,"auth":"Logged In",,}',
  '\uFFFD\uFFFD\uFFFD\u0007\uFFFD',
  '}{',
  'artist,auth,firstName,gender,itemInSession',
];
