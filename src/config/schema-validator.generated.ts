// @ts-nocheck
/* eslint-disable */
// GENERATED from schemas/tk.schema.json by test/unit/config/schema-validator.test.ts; do not edit.
// Regenerate: TK_UPDATE_VALIDATOR=1 npx mocha test/unit/config/schema-validator.test.ts
import {createRequire} from 'node:module'
const require = createRequire(import.meta.url)

export const validate = validate10;
export default validate10;
const schema11 = {"$schema":"http://json-schema.org/draft-07/schema#","title":"tk.yml","description":"A fleet for tk: its hosts, the container engine they run, the user's own provisioners, SSH settings and the provider that supplies the machines. See docs/config.md. A key with no value (everything under it commented out) is the same as leaving it out.","type":"object","additionalProperties":false,"patternProperties":{"^x-":{"description":"Your own keys, ignored by tk: a place for YAML anchors (&name) to reuse with * and <<."}},"properties":{"version":{"description":"The file format version. Only 1 exists; leave it out or write 1.","const":1},"provider":{"$ref":"#/definitions/provider"},"defaults":{"description":"Connection settings every host inherits unless it sets its own.","type":["object","null"],"additionalProperties":false,"properties":{"user":{"$ref":"#/definitions/user"},"port":{"$ref":"#/definitions/port"},"identityFile":{"$ref":"#/definitions/identityFile"},"release":{"$ref":"#/definitions/release"}}},"ssh":{"description":"How tk connects to ssh hosts.","type":["object","null"],"additionalProperties":false,"properties":{"hostKeyPolicy":{"$ref":"#/definitions/hostKeyPolicy"},"connectTimeout":{"$ref":"#/definitions/connectTimeout"},"concurrency":{"description":"How many hosts tk works on at once. Default: 16.","type":"integer","minimum":1,"maximum":1024}}},"engine":{"$ref":"#/definitions/engine"},"provisioners":{"description":"The user's own steps, run in order on each host after the engine is in place.","type":["array","null"],"items":{"$ref":"#/definitions/provisioner"}},"registries":{"description":"Private registries docker provisioners pull from, with their credentials: the pull goes through the engine's API over the SSH connection with the credentials in the request (X-Registry-Auth), so nothing is written on the host. See docs/provisioners.md.","type":["array","null"],"items":{"type":"object","additionalProperties":false,"required":["server"],"properties":{"server":{"description":"The registry as image references name it: registry.example.com, registry.example.com:5000 (docker.io for Docker Hub).","type":"string","pattern":"^[A-Za-z0-9.-]+(:[0-9]{1,5})?$","patternErrorMessage":"a registry host name, with a port if it has one (registry.example.com:5000)"},"username":{"description":"The user name; usually ${ENV}.","type":"string","minLength":1},"password":{"description":"The password or token: write it as ${ENV} (a value in the file itself is refused). Never printed.","type":"string","minLength":1},"credentialHelper":{"description":"A docker credential helper run on your workstation instead of username and password: NAME runs docker-credential-NAME get (pass, secretservice, osxkeychain, ecr-login ...).","type":"string","pattern":"^[A-Za-z0-9_.-]+$"}}}},"groups":{"description":"Settings of host groups (a host joins a group with its own groups: key), by group name.","type":["object","null"],"propertyNames":{"$ref":"#/definitions/groupName"},"additionalProperties":{"type":"object","additionalProperties":false,"properties":{"serial":{"description":"tk up rolls over this group's hosts: at most this many of them are converged at once (engine restarts, container recreations), and the run stops after the first failure unless --max-fail says otherwise. Default: as many as --concurrency allows.","type":"integer","minimum":1}}}},"hosts":{"description":"The machines of the fleet. Each has a unique name, usable as a target on the command line.","type":["array","null"],"items":{"$ref":"#/definitions/host"}},"swarm":{"description":"The hosts as one Docker Swarm cluster, formed and kept by tk up (docs/swarm.md).","type":["object","null"],"additionalProperties":false,"required":["managers"],"properties":{"managers":{"$ref":"#/definitions/swarmMembers","description":"Hosts and @groups that are managers; the first is where a new swarm starts. Their number must be odd (1, 3, 5, 7)."},"workers":{"$ref":"#/definitions/swarmMembers","description":"Hosts and @groups that are workers."},"advertise":{"description":"A host's advertise address (an IP address, or an interface name), by host name. Default: the address other hosts reach it at.","type":"object","propertyNames":{"$ref":"#/definitions/name"},"additionalProperties":{"type":"string","pattern":"^[A-Za-z0-9.:_%-]{1,253}$","patternErrorMessage":"an IP address or an interface name"}},"defaultAddrPool":{"description":"Address pools (CIDR) overlay networks take their subnets from, when the swarm is made.","type":"array","minItems":1,"items":{"type":"string","pattern":"^[0-9]{1,3}(\\.[0-9]{1,3}){3}/[0-9]{1,2}$","patternErrorMessage":"an IPv4 CIDR like 10.20.0.0/16"}},"subnetSize":{"description":"Prefix length of each overlay network's subnet from defaultAddrPool. Default: 24.","type":"integer","minimum":16,"maximum":29},"labels":{"description":"Node labels by @group or host name; a host's own labels win over its groups'.","type":"object","propertyNames":{"$ref":"#/definitions/swarmHostKey"},"additionalProperties":{"type":"object","propertyNames":{"type":"string","pattern":"^[A-Za-z0-9][A-Za-z0-9._/-]{0,127}$","patternErrorMessage":"a label key of letters, digits, '.', '/', '-' and '_'"},"additionalProperties":{"type":"string","maxLength":1024}}},"availability":{"description":"Node availability by @group or host name (active, pause, drain). Default: active.","type":"object","propertyNames":{"$ref":"#/definitions/swarmHostKey"},"additionalProperties":{"$ref":"#/definitions/availability"}},"autolock":{"description":"Lock managers' raft keys with a key the user keeps (shown once). Default: false.","type":"boolean"}}}},"definitions":{"name":{"type":"string","pattern":"^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$","patternErrorMessage":"a name of letters, digits, '.', '-' and '_' (at most 63, starting with a letter or digit)"},"groupName":{"type":"string","pattern":"^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$","patternErrorMessage":"a group name of letters, digits, '-' and '_' (no dots; at most 63, starting with a letter or digit)"},"user":{"description":"The login user on the host. Default: from ~/.ssh/config, else your local user name.","type":"string","pattern":"^[A-Za-z0-9_][A-Za-z0-9_.-]*[$]?$","patternErrorMessage":"a user name (letters, digits, '.', '-', '_')"},"accountName":{"description":"A user name on the host, as Debian's useradd takes it.","type":"string","maxLength":32,"pattern":"^[a-z_][a-z0-9_.-]*[$]?$","patternErrorMessage":"a user name of lower-case letters, digits, '_', '-' and '.', starting with a letter or '_' (at most 32)"},"port":{"description":"The SSH port. Default: from ~/.ssh/config, else 22.","type":"integer","minimum":1,"maximum":65535},"identityFile":{"description":"A private key file to offer; ~ is your home directory. Default: from ~/.ssh/config and the SSH agent.","type":"string","minLength":1},"release":{"description":"The Debian release of a sandbox machine. Default: bookworm.","enum":["bullseye","bookworm","trixie"]},"provider":{"description":"Who supplies the machines: ssh (existing servers, the default) or sandbox (local machines tk creates).","enum":["ssh","sandbox"]},"hostKeyPolicy":{"description":"What to do with a host key not in known_hosts: strict refuses, accept-new records it, off accepts anything. Default: ~/.ssh/config's StrictHostKeyChecking for the host, else accept-new.","enum":["strict","accept-new","off"]},"connectTimeout":{"description":"Seconds to wait for a connection (TCP, handshake and authentication). Default: 10.","type":"number","exclusiveMinimum":0,"maximum":600},"engine":{"description":"The container engine on every host; a host's own engine key overrides it key by key.","type":["object","null"],"additionalProperties":false,"properties":{"method":{"description":"distro installs the host's own packages (docker.io); docker adds Docker's apt repository (or a mirror of it, engine.repository) and installs docker-ce from it; script runs an install script you name. Default: distro.","enum":["distro","docker","script"]},"version":{"description":"A version constraint in npm semver range syntax (\"27\", \"^27.3\", \">=26 <28\"). Default: any version the method offers.","type":"string","minLength":1},"fetch":{"description":"Where tk's apt steps fetch packages: direct from the host's own network, or workstation, through tk on your machine over the SSH connection (for hosts that cannot reach their package sources; see docs/offline.md). Default: direct.","enum":["direct","workstation"]},"repository":{"description":"For method docker: Docker's apt repository or a mirror of it, its channel and its signing key. Default: Docker's own, stable, Docker's key.","type":["object","null"],"additionalProperties":false,"properties":{"url":{"description":"The repository's base URL, the level above debian/ and ubuntu/ (https://download.docker.com/linux), or a mirror's name: aliyun, azure-china, tuna, ustc, huaweicloud, tencent.","type":"string","minLength":1},"channel":{"description":"The repository's channel. Default: stable.","enum":["stable","test"]},"key":{"description":"The repository's signing key (OpenPGP public key, armored or binary): a file (relative to tk.yml) or an http(s) URL. Default: the repository's own gpg file, which must be Docker's key. Needs fingerprint.","type":"string","minLength":1},"fingerprint":{"description":"The signing key's fingerprint (40 hex digits, spaces allowed): a key with another is refused before any host is touched. Default: Docker's, 9DC8 5822 9FC7 DD38 854A E2D8 8D81 803C 0EBF CD88.","type":"string","pattern":"^(0x|0X)?[0-9A-Fa-f ]{40,80}$"},"packages":{"description":"The packages to install instead of the set Docker's own install uses for the chosen version (docker-ce, docker-ce-cli and containerd.io are always installed).","type":"array","items":{"type":"string","pattern":"^[a-z0-9][a-z0-9.+-]+$"},"uniqueItems":true}}},"daemon":{"description":"Options written to /etc/docker/daemon.json, as dockerd documents them (the keys tk knows: docs/daemon-config.md). A host's daemon options are merged over these key by key.","type":["object","null"],"properties":{"allow-nondistributable-artifacts":true,"api-cors-header":true,"authorization-plugins":true,"bip":true,"bridge":true,"builder":true,"cdi-spec-dirs":true,"cgroup-parent":true,"cluster-advertise":true,"cluster-store":true,"cluster-store-opts":true,"containerd":true,"containerd-namespace":true,"containerd-plugin-namespace":true,"cpu-rt-period":true,"cpu-rt-runtime":true,"data-root":true,"debug":true,"default-address-pools":true,"default-cgroupns-mode":true,"default-gateway":true,"default-gateway-v6":true,"default-ipc-mode":true,"default-network-opts":true,"default-runtime":true,"default-shm-size":true,"default-ulimits":true,"dns":true,"dns-opts":true,"dns-search":true,"exec-opts":true,"exec-root":true,"experimental":true,"features":true,"fixed-cidr":true,"fixed-cidr-v6":true,"graph":true,"group":true,"host-gateway-ip":true,"hosts":true,"icc":true,"init":true,"init-path":true,"insecure-registries":true,"ip":true,"ip-forward":true,"ip-masq":true,"ip6tables":true,"iptables":true,"ipv6":true,"labels":true,"live-restore":true,"log-driver":true,"log-format":true,"log-level":true,"log-opts":true,"max-concurrent-downloads":true,"max-concurrent-uploads":true,"max-download-attempts":true,"metrics-addr":true,"mtu":true,"network-control-plane-mtu":true,"no-new-privileges":true,"node-generic-resources":true,"oom-score-adjust":true,"pidfile":true,"proxies":true,"raw-logs":true,"registry-mirrors":true,"runtimes":true,"seccomp-profile":true,"selinux-enabled":true,"shutdown-timeout":true,"storage-driver":true,"storage-opts":true,"swarm-default-advertise-addr":true,"tls":true,"tlscacert":true,"tlscert":true,"tlskey":true,"tlsverify":true,"userland-proxy":true,"userland-proxy-path":true,"userns-remap":true},"additionalProperties":false},"users":{"description":"Users added to the docker group.","type":"array","items":{"$ref":"#/definitions/accountName"},"uniqueItems":true},"compose":{"description":"Whether the Compose plugin is installed too. Default: true.","type":"boolean"},"bundle":{"description":"An offline bundle of the engine (made by tk bundle), relative to tk.yml: the engine is installed from it with no network on the host (docs/offline.md).","type":"string","minLength":1}}},"hostSsh":{"description":"SSH settings for this host alone.","type":["object","null"],"additionalProperties":false,"properties":{"hostKeyPolicy":{"$ref":"#/definitions/hostKeyPolicy"},"connectTimeout":{"$ref":"#/definitions/connectTimeout"}}},"hostBootstrap":{"description":"First contact with this host (tk bootstrap, docs/bootstrap.md): who logs in with the provider's password, the admin's public key, and whether to turn off password and root logins. The admin is the host's user.","type":["object","null"],"additionalProperties":false,"properties":{"user":{"$ref":"#/definitions/user","description":"The user tk bootstrap logs in as with a password: root, or the provider's default user with sudo. Default: root."},"key":{"description":"The admin's public key file (.pub); ~ is your home directory, a relative path is relative to tk.yml. Default: the .pub beside the first identity file tk logs in with.","type":"string","minLength":1},"harden":{"description":"Whether tk bootstrap turns off password and root logins once the admin's key login is proven (as --harden). Default: false.","type":"boolean"}}},"host":{"type":"object","additionalProperties":false,"required":["name"],"properties":{"name":{"$ref":"#/definitions/name","description":"The host's name in tk: unique in the file, used as a target (tk check web1)."},"address":{"description":"What to connect to: a DNS name, an IP address or an ~/.ssh/config alias. Default: the name. Not for sandbox hosts.","type":"string","minLength":1,"pattern":"^[^\\s@-][^\\s@]*$","patternErrorMessage":"a host name, IP address or ~/.ssh/config alias without spaces or '@' (use user for the user), not starting with '-'"},"user":{"$ref":"#/definitions/user"},"port":{"$ref":"#/definitions/port"},"identityFile":{"$ref":"#/definitions/identityFile"},"groups":{"description":"Groups this host belongs to; @GROUP (or the bare group name) selects them all.","type":["array","null"],"items":{"$ref":"#/definitions/groupName"},"uniqueItems":true},"provider":{"$ref":"#/definitions/provider"},"release":{"$ref":"#/definitions/release"},"ports":{"description":"Sandbox hosts: ports of the machine published on this machine's loopback, as \"HOST_PORT:MACHINE_PORT\" (on 127.0.0.1) or \"127.0.0.1:HOST_PORT:MACHINE_PORT\", optionally /udp. Each host gives its own host ports (web-1 \"8080:8080\", web-2 \"8081:8080\"). Changing them re-creates the machine's container, keeping its disk, host key and address.","type":["array","null"],"items":{"type":"string","pattern":"^(127\\.[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}:)?[0-9]{1,5}:[0-9]{1,5}(/(tcp|udp))?$","patternErrorMessage":"a port published on this machine's loopback: \"8081:8080\" or \"127.0.0.1:8081:8080\" (optionally /udp)"},"uniqueItems":true},"engine":{"$ref":"#/definitions/engine"},"ssh":{"$ref":"#/definitions/hostSsh"},"bootstrap":{"$ref":"#/definitions/hostBootstrap"}}},"env":{"description":"Environment variables, NAME: value.","type":["object","null"],"propertyNames":{"pattern":"^[A-Za-z_][A-Za-z0-9_]*$","patternErrorMessage":"an environment variable name (letters, digits, '_')"},"additionalProperties":{"type":["string","number","boolean"]}},"provisioner":{"type":"object","required":["name","type"],"properties":{"type":{"description":"What the provisioner does.","enum":["shell","file","docker"]}},"allOf":[{"if":{"properties":{"type":{"const":"shell"}},"required":["type"]},"then":{"$ref":"#/definitions/shellProvisioner"}},{"if":{"properties":{"type":{"const":"file"}},"required":["type"]},"then":{"$ref":"#/definitions/fileProvisioner"}},{"if":{"properties":{"type":{"const":"docker"}},"required":["type"]},"then":{"$ref":"#/definitions/dockerProvisioner"}}]},"provisionerName":{"$ref":"#/definitions/name","description":"Unique among the provisioners; the host's state remembers what ran under this name."},"run":{"description":"once: only until it has succeeded on the host (again when its spec changes); always: on every tk up. Default: once.","enum":["once","always"]},"provisionerHosts":{"description":"Only these hosts and groups (@web or web). Default: every host.","type":"array","items":{"type":"string","minLength":1},"minItems":1},"shellProvisioner":{"type":"object","additionalProperties":false,"properties":{"name":{"$ref":"#/definitions/provisionerName"},"type":{"const":"shell"},"run":{"$ref":"#/definitions/run"},"hosts":{"$ref":"#/definitions/provisionerHosts"},"inline":{"description":"A POSIX shell script, given inline.","type":"string","minLength":1},"script":{"description":"A script file, relative to tk.yml, copied to the host and run.","type":"string","minLength":1},"env":{"$ref":"#/definitions/env"},"privileged":{"description":"true runs as root (through sudo when the login user is not root); false as the login user. Default: true.","type":"boolean"}},"oneOf":[{"required":["inline"]},{"required":["script"]}]},"fileProvisioner":{"type":"object","additionalProperties":false,"required":["source","destination"],"properties":{"name":{"$ref":"#/definitions/provisionerName"},"type":{"const":"file"},"run":{"$ref":"#/definitions/run"},"hosts":{"$ref":"#/definitions/provisionerHosts"},"drift":{"$ref":"#/definitions/drift"},"source":{"description":"A file or directory, relative to tk.yml.","type":"string","minLength":1},"destination":{"description":"Where it goes on the host: an absolute path.","type":"string","pattern":"^/","patternErrorMessage":"an absolute path on the host (starting with /)"},"mode":{"description":"File mode as an octal string, quoted (\"0644\"). Default: the source file's mode.","type":"string","pattern":"^0?[0-7]{3}$","patternErrorMessage":"an octal mode in quotes, like \"0644\""},"owner":{"description":"USER or USER:GROUP on the host. Default: root:root.","type":"string","pattern":"^[A-Za-z0-9_][A-Za-z0-9_.-]*(:[A-Za-z0-9_][A-Za-z0-9_.-]*)?$","patternErrorMessage":"USER or USER:GROUP"},"followSymlinks":{"description":"Whether a symbolic link in the source may lead outside it (e.g. files/key -> ~/.ssh/id_ed25519): the file it points to is sent. Default: false, such a link is refused.","type":"boolean"}}},"dockerProvisioner":{"type":"object","additionalProperties":false,"required":["image"],"properties":{"name":{"$ref":"#/definitions/provisionerName"},"type":{"const":"docker"},"run":{"$ref":"#/definitions/run"},"hosts":{"$ref":"#/definitions/provisionerHosts"},"drift":{"$ref":"#/definitions/drift"},"image":{"description":"The image reference, e.g. nginx:1.27 or registry.example:5000/app:1.","type":"string","minLength":1},"load":{"description":"An image archive (docker save), relative to tk.yml, loaded instead of pulling.","type":"string","minLength":1},"container":{"description":"A container to run from the image; recreated only when this spec or the image changes. Without it the image is only made present.","type":"object","additionalProperties":false,"required":["name"],"properties":{"name":{"$ref":"#/definitions/name","description":"The container's name on the host."},"command":{"description":"The command, as a string (run by the image's shell form) or a list of arguments.","type":["string","array"],"items":{"type":"string"}},"ports":{"description":"Published ports as docker run -p takes them: \"8080:80\", \"127.0.0.1:8080:80/tcp\".","type":"array","items":{"type":"string","pattern":"^(\\[?[0-9A-Fa-f.:]+\\]?:)?([0-9]{1,5}(-[0-9]{1,5})?:)?[0-9]{1,5}(-[0-9]{1,5})?(/(tcp|udp|sctp))?$","patternErrorMessage":"a port mapping in quotes, like \"8080:80\" or \"127.0.0.1:8080:80/tcp\""}},"env":{"$ref":"#/definitions/env"},"volumes":{"description":"Volumes and bind mounts as docker run -v takes them: \"data:/var/lib/app\", \"/srv/www:/usr/share/nginx/html:ro\".","type":"array","items":{"type":"string","minLength":1}},"restart":{"description":"Restart policy. Default: unless-stopped.","enum":["no","always","unless-stopped","on-failure"]},"healthcheck":{"description":"The container's health check (docker run --health-*), and how long tk up waits for it: a created or recreated container counts as converged only once healthy, and one that is not healthy in time is removed and the previous container put back. Without it, tk up waits (healthcheck.wait, default 120 s) for the image's own health check when the image has one.","type":"object","additionalProperties":false,"properties":{"test":{"description":"A shell command run in the container; exit 0 means healthy (docker run --health-cmd). Default: the image's health check.","type":"string","minLength":1},"interval":{"description":"Seconds between checks. Default: the image's, else docker's 30.","type":"number","exclusiveMinimum":0},"timeout":{"description":"Seconds one check may take. Default: the image's, else docker's 30.","type":"number","exclusiveMinimum":0},"retries":{"description":"Failed checks in a row that make the container unhealthy. Default: the image's, else docker's 3.","type":"integer","minimum":1},"startPeriod":{"description":"Seconds after the start in which failed checks do not count. Default: the image's, else 0.","type":"number","minimum":0},"wait":{"description":"Seconds tk up waits for the container to become healthy before it rolls it back. Default: 120.","type":"integer","minimum":1,"maximum":3600}}},"state":{"description":"running: tk up starts the container when it is stopped; stopped: tk up creates it when missing but keeps it stopped, and stops it when it runs. Default: running.","enum":["running","stopped"]}}}}},"drift":{"description":"check: every tk up (and tk status) compares the host with the description and tk up puts back what was changed there; ignore: tk trusts its record of what it applied (the host is not looked at while the spec is unchanged). Default: check.","enum":["check","ignore"]},"swarmMembers":{"type":"array","items":{"type":"string","minLength":1},"minItems":1,"uniqueItems":true},"swarmHostKey":{"type":"string","pattern":"^@?[A-Za-z0-9][A-Za-z0-9._-]{0,62}$","patternErrorMessage":"a host name or @group"},"availability":{"type":"string","enum":["active","pause","drain"]}}};
const schema12 = {"description":"Who supplies the machines: ssh (existing servers, the default) or sandbox (local machines tk creates).","enum":["ssh","sandbox"]};
const schema13 = {"description":"The login user on the host. Default: from ~/.ssh/config, else your local user name.","type":"string","pattern":"^[A-Za-z0-9_][A-Za-z0-9_.-]*[$]?$","patternErrorMessage":"a user name (letters, digits, '.', '-', '_')"};
const schema14 = {"description":"The SSH port. Default: from ~/.ssh/config, else 22.","type":"integer","minimum":1,"maximum":65535};
const schema15 = {"description":"A private key file to offer; ~ is your home directory. Default: from ~/.ssh/config and the SSH agent.","type":"string","minLength":1};
const schema16 = {"description":"The Debian release of a sandbox machine. Default: bookworm.","enum":["bullseye","bookworm","trixie"]};
const schema17 = {"description":"What to do with a host key not in known_hosts: strict refuses, accept-new records it, off accepts anything. Default: ~/.ssh/config's StrictHostKeyChecking for the host, else accept-new.","enum":["strict","accept-new","off"]};
const schema18 = {"description":"Seconds to wait for a connection (TCP, handshake and authentication). Default: 10.","type":"number","exclusiveMinimum":0,"maximum":600};
const schema39 = {"type":"string","pattern":"^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$","patternErrorMessage":"a group name of letters, digits, '-' and '_' (no dots; at most 63, starting with a letter or digit)"};
const schema53 = {"type":"array","items":{"type":"string","minLength":1},"minItems":1,"uniqueItems":true};
const schema23 = {"type":"string","pattern":"^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$","patternErrorMessage":"a name of letters, digits, '.', '-' and '_' (at most 63, starting with a letter or digit)"};
const schema56 = {"type":"string","pattern":"^@?[A-Za-z0-9][A-Za-z0-9._-]{0,62}$","patternErrorMessage":"a host name or @group"};
const schema58 = {"type":"string","enum":["active","pause","drain"]};
const func2 = Object.prototype.hasOwnProperty;
const func3 = require("ajv/dist/runtime/ucs2length").default;
const pattern0 = new RegExp("^x-", "u");
const pattern1 = new RegExp("^[A-Za-z0-9_][A-Za-z0-9_.-]*[$]?$", "u");
const pattern15 = new RegExp("^[A-Za-z0-9.-]+(:[0-9]{1,5})?$", "u");
const pattern16 = new RegExp("^[A-Za-z0-9_.-]+$", "u");
const pattern17 = new RegExp("^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$", "u");
const pattern5 = new RegExp("^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$", "u");
const pattern25 = new RegExp("^[A-Za-z0-9.:_%-]{1,253}$", "u");
const pattern26 = new RegExp("^[0-9]{1,3}(\\.[0-9]{1,3}){3}/[0-9]{1,2}$", "u");
const pattern27 = new RegExp("^@?[A-Za-z0-9][A-Za-z0-9._-]{0,62}$", "u");
const pattern28 = new RegExp("^[A-Za-z0-9][A-Za-z0-9._/-]{0,127}$", "u");
const schema19 = {"description":"The container engine on every host; a host's own engine key overrides it key by key.","type":["object","null"],"additionalProperties":false,"properties":{"method":{"description":"distro installs the host's own packages (docker.io); docker adds Docker's apt repository (or a mirror of it, engine.repository) and installs docker-ce from it; script runs an install script you name. Default: distro.","enum":["distro","docker","script"]},"version":{"description":"A version constraint in npm semver range syntax (\"27\", \"^27.3\", \">=26 <28\"). Default: any version the method offers.","type":"string","minLength":1},"fetch":{"description":"Where tk's apt steps fetch packages: direct from the host's own network, or workstation, through tk on your machine over the SSH connection (for hosts that cannot reach their package sources; see docs/offline.md). Default: direct.","enum":["direct","workstation"]},"repository":{"description":"For method docker: Docker's apt repository or a mirror of it, its channel and its signing key. Default: Docker's own, stable, Docker's key.","type":["object","null"],"additionalProperties":false,"properties":{"url":{"description":"The repository's base URL, the level above debian/ and ubuntu/ (https://download.docker.com/linux), or a mirror's name: aliyun, azure-china, tuna, ustc, huaweicloud, tencent.","type":"string","minLength":1},"channel":{"description":"The repository's channel. Default: stable.","enum":["stable","test"]},"key":{"description":"The repository's signing key (OpenPGP public key, armored or binary): a file (relative to tk.yml) or an http(s) URL. Default: the repository's own gpg file, which must be Docker's key. Needs fingerprint.","type":"string","minLength":1},"fingerprint":{"description":"The signing key's fingerprint (40 hex digits, spaces allowed): a key with another is refused before any host is touched. Default: Docker's, 9DC8 5822 9FC7 DD38 854A E2D8 8D81 803C 0EBF CD88.","type":"string","pattern":"^(0x|0X)?[0-9A-Fa-f ]{40,80}$"},"packages":{"description":"The packages to install instead of the set Docker's own install uses for the chosen version (docker-ce, docker-ce-cli and containerd.io are always installed).","type":"array","items":{"type":"string","pattern":"^[a-z0-9][a-z0-9.+-]+$"},"uniqueItems":true}}},"daemon":{"description":"Options written to /etc/docker/daemon.json, as dockerd documents them (the keys tk knows: docs/daemon-config.md). A host's daemon options are merged over these key by key.","type":["object","null"],"properties":{"allow-nondistributable-artifacts":true,"api-cors-header":true,"authorization-plugins":true,"bip":true,"bridge":true,"builder":true,"cdi-spec-dirs":true,"cgroup-parent":true,"cluster-advertise":true,"cluster-store":true,"cluster-store-opts":true,"containerd":true,"containerd-namespace":true,"containerd-plugin-namespace":true,"cpu-rt-period":true,"cpu-rt-runtime":true,"data-root":true,"debug":true,"default-address-pools":true,"default-cgroupns-mode":true,"default-gateway":true,"default-gateway-v6":true,"default-ipc-mode":true,"default-network-opts":true,"default-runtime":true,"default-shm-size":true,"default-ulimits":true,"dns":true,"dns-opts":true,"dns-search":true,"exec-opts":true,"exec-root":true,"experimental":true,"features":true,"fixed-cidr":true,"fixed-cidr-v6":true,"graph":true,"group":true,"host-gateway-ip":true,"hosts":true,"icc":true,"init":true,"init-path":true,"insecure-registries":true,"ip":true,"ip-forward":true,"ip-masq":true,"ip6tables":true,"iptables":true,"ipv6":true,"labels":true,"live-restore":true,"log-driver":true,"log-format":true,"log-level":true,"log-opts":true,"max-concurrent-downloads":true,"max-concurrent-uploads":true,"max-download-attempts":true,"metrics-addr":true,"mtu":true,"network-control-plane-mtu":true,"no-new-privileges":true,"node-generic-resources":true,"oom-score-adjust":true,"pidfile":true,"proxies":true,"raw-logs":true,"registry-mirrors":true,"runtimes":true,"seccomp-profile":true,"selinux-enabled":true,"shutdown-timeout":true,"storage-driver":true,"storage-opts":true,"swarm-default-advertise-addr":true,"tls":true,"tlscacert":true,"tlscert":true,"tlskey":true,"tlsverify":true,"userland-proxy":true,"userland-proxy-path":true,"userns-remap":true},"additionalProperties":false},"users":{"description":"Users added to the docker group.","type":"array","items":{"$ref":"#/definitions/accountName"},"uniqueItems":true},"compose":{"description":"Whether the Compose plugin is installed too. Default: true.","type":"boolean"},"bundle":{"description":"An offline bundle of the engine (made by tk bundle), relative to tk.yml: the engine is installed from it with no network on the host (docs/offline.md).","type":"string","minLength":1}}};
const schema20 = {"description":"A user name on the host, as Debian's useradd takes it.","type":"string","maxLength":32,"pattern":"^[a-z_][a-z0-9_.-]*[$]?$","patternErrorMessage":"a user name of lower-case letters, digits, '_', '-' and '.', starting with a letter or '_' (at most 32)"};
const func0 = require("ajv/dist/runtime/equal").default;
const pattern2 = new RegExp("^(0x|0X)?[0-9A-Fa-f ]{40,80}$", "u");
const pattern3 = new RegExp("^[a-z0-9][a-z0-9.+-]+$", "u");
const pattern4 = new RegExp("^[a-z_][a-z0-9_.-]*[$]?$", "u");

function validate11(data, {instancePath="", parentData, parentDataProperty, rootData=data}={}){
let vErrors = null;
let errors = 0;
if((!(data && typeof data == "object" && !Array.isArray(data))) && (data !== null)){
const err0 = {instancePath,schemaPath:"#/type",keyword:"type",params:{type: schema19.type},message:"must be object,null",schema:schema19.type,parentSchema:schema19,data};
if(vErrors === null){
vErrors = [err0];
}
else {
vErrors.push(err0);
}
errors++;
}
if(data && typeof data == "object" && !Array.isArray(data)){
for(const key0 in data){
if(!((((((((key0 === "method") || (key0 === "version")) || (key0 === "fetch")) || (key0 === "repository")) || (key0 === "daemon")) || (key0 === "users")) || (key0 === "compose")) || (key0 === "bundle"))){
const err1 = {instancePath,schemaPath:"#/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key0},message:"must NOT have additional properties",schema:false,parentSchema:schema19,data};
if(vErrors === null){
vErrors = [err1];
}
else {
vErrors.push(err1);
}
errors++;
}
}
if(data.method !== undefined){
let data0 = data.method;
if(!(((data0 === "distro") || (data0 === "docker")) || (data0 === "script"))){
const err2 = {instancePath:instancePath+"/method",schemaPath:"#/properties/method/enum",keyword:"enum",params:{allowedValues: schema19.properties.method.enum},message:"must be equal to one of the allowed values",schema:schema19.properties.method.enum,parentSchema:schema19.properties.method,data:data0};
if(vErrors === null){
vErrors = [err2];
}
else {
vErrors.push(err2);
}
errors++;
}
}
if(data.version !== undefined){
let data1 = data.version;
if(typeof data1 === "string"){
if(func3(data1) < 1){
const err3 = {instancePath:instancePath+"/version",schemaPath:"#/properties/version/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters",schema:1,parentSchema:schema19.properties.version,data:data1};
if(vErrors === null){
vErrors = [err3];
}
else {
vErrors.push(err3);
}
errors++;
}
}
else {
const err4 = {instancePath:instancePath+"/version",schemaPath:"#/properties/version/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema19.properties.version.type,parentSchema:schema19.properties.version,data:data1};
if(vErrors === null){
vErrors = [err4];
}
else {
vErrors.push(err4);
}
errors++;
}
}
if(data.fetch !== undefined){
let data2 = data.fetch;
if(!((data2 === "direct") || (data2 === "workstation"))){
const err5 = {instancePath:instancePath+"/fetch",schemaPath:"#/properties/fetch/enum",keyword:"enum",params:{allowedValues: schema19.properties.fetch.enum},message:"must be equal to one of the allowed values",schema:schema19.properties.fetch.enum,parentSchema:schema19.properties.fetch,data:data2};
if(vErrors === null){
vErrors = [err5];
}
else {
vErrors.push(err5);
}
errors++;
}
}
if(data.repository !== undefined){
let data3 = data.repository;
if((!(data3 && typeof data3 == "object" && !Array.isArray(data3))) && (data3 !== null)){
const err6 = {instancePath:instancePath+"/repository",schemaPath:"#/properties/repository/type",keyword:"type",params:{type: schema19.properties.repository.type},message:"must be object,null",schema:schema19.properties.repository.type,parentSchema:schema19.properties.repository,data:data3};
if(vErrors === null){
vErrors = [err6];
}
else {
vErrors.push(err6);
}
errors++;
}
if(data3 && typeof data3 == "object" && !Array.isArray(data3)){
for(const key1 in data3){
if(!(((((key1 === "url") || (key1 === "channel")) || (key1 === "key")) || (key1 === "fingerprint")) || (key1 === "packages"))){
const err7 = {instancePath:instancePath+"/repository",schemaPath:"#/properties/repository/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key1},message:"must NOT have additional properties",schema:false,parentSchema:schema19.properties.repository,data:data3};
if(vErrors === null){
vErrors = [err7];
}
else {
vErrors.push(err7);
}
errors++;
}
}
if(data3.url !== undefined){
let data4 = data3.url;
if(typeof data4 === "string"){
if(func3(data4) < 1){
const err8 = {instancePath:instancePath+"/repository/url",schemaPath:"#/properties/repository/properties/url/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters",schema:1,parentSchema:schema19.properties.repository.properties.url,data:data4};
if(vErrors === null){
vErrors = [err8];
}
else {
vErrors.push(err8);
}
errors++;
}
}
else {
const err9 = {instancePath:instancePath+"/repository/url",schemaPath:"#/properties/repository/properties/url/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema19.properties.repository.properties.url.type,parentSchema:schema19.properties.repository.properties.url,data:data4};
if(vErrors === null){
vErrors = [err9];
}
else {
vErrors.push(err9);
}
errors++;
}
}
if(data3.channel !== undefined){
let data5 = data3.channel;
if(!((data5 === "stable") || (data5 === "test"))){
const err10 = {instancePath:instancePath+"/repository/channel",schemaPath:"#/properties/repository/properties/channel/enum",keyword:"enum",params:{allowedValues: schema19.properties.repository.properties.channel.enum},message:"must be equal to one of the allowed values",schema:schema19.properties.repository.properties.channel.enum,parentSchema:schema19.properties.repository.properties.channel,data:data5};
if(vErrors === null){
vErrors = [err10];
}
else {
vErrors.push(err10);
}
errors++;
}
}
if(data3.key !== undefined){
let data6 = data3.key;
if(typeof data6 === "string"){
if(func3(data6) < 1){
const err11 = {instancePath:instancePath+"/repository/key",schemaPath:"#/properties/repository/properties/key/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters",schema:1,parentSchema:schema19.properties.repository.properties.key,data:data6};
if(vErrors === null){
vErrors = [err11];
}
else {
vErrors.push(err11);
}
errors++;
}
}
else {
const err12 = {instancePath:instancePath+"/repository/key",schemaPath:"#/properties/repository/properties/key/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema19.properties.repository.properties.key.type,parentSchema:schema19.properties.repository.properties.key,data:data6};
if(vErrors === null){
vErrors = [err12];
}
else {
vErrors.push(err12);
}
errors++;
}
}
if(data3.fingerprint !== undefined){
let data7 = data3.fingerprint;
if(typeof data7 === "string"){
if(!pattern2.test(data7)){
const err13 = {instancePath:instancePath+"/repository/fingerprint",schemaPath:"#/properties/repository/properties/fingerprint/pattern",keyword:"pattern",params:{pattern: "^(0x|0X)?[0-9A-Fa-f ]{40,80}$"},message:"must match pattern \""+"^(0x|0X)?[0-9A-Fa-f ]{40,80}$"+"\"",schema:"^(0x|0X)?[0-9A-Fa-f ]{40,80}$",parentSchema:schema19.properties.repository.properties.fingerprint,data:data7};
if(vErrors === null){
vErrors = [err13];
}
else {
vErrors.push(err13);
}
errors++;
}
}
else {
const err14 = {instancePath:instancePath+"/repository/fingerprint",schemaPath:"#/properties/repository/properties/fingerprint/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema19.properties.repository.properties.fingerprint.type,parentSchema:schema19.properties.repository.properties.fingerprint,data:data7};
if(vErrors === null){
vErrors = [err14];
}
else {
vErrors.push(err14);
}
errors++;
}
}
if(data3.packages !== undefined){
let data8 = data3.packages;
if(Array.isArray(data8)){
const len0 = data8.length;
for(let i0=0; i0<len0; i0++){
let data9 = data8[i0];
if(typeof data9 === "string"){
if(!pattern3.test(data9)){
const err15 = {instancePath:instancePath+"/repository/packages/" + i0,schemaPath:"#/properties/repository/properties/packages/items/pattern",keyword:"pattern",params:{pattern: "^[a-z0-9][a-z0-9.+-]+$"},message:"must match pattern \""+"^[a-z0-9][a-z0-9.+-]+$"+"\"",schema:"^[a-z0-9][a-z0-9.+-]+$",parentSchema:schema19.properties.repository.properties.packages.items,data:data9};
if(vErrors === null){
vErrors = [err15];
}
else {
vErrors.push(err15);
}
errors++;
}
}
else {
const err16 = {instancePath:instancePath+"/repository/packages/" + i0,schemaPath:"#/properties/repository/properties/packages/items/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema19.properties.repository.properties.packages.items.type,parentSchema:schema19.properties.repository.properties.packages.items,data:data9};
if(vErrors === null){
vErrors = [err16];
}
else {
vErrors.push(err16);
}
errors++;
}
}
let i1 = data8.length;
let j0;
if(i1 > 1){
const indices0 = {};
for(;i1--;){
let item0 = data8[i1];
if(typeof item0 !== "string"){
continue;
}
if(typeof indices0[item0] == "number"){
j0 = indices0[item0];
const err17 = {instancePath:instancePath+"/repository/packages",schemaPath:"#/properties/repository/properties/packages/uniqueItems",keyword:"uniqueItems",params:{i: i1, j: j0},message:"must NOT have duplicate items (items ## "+j0+" and "+i1+" are identical)",schema:true,parentSchema:schema19.properties.repository.properties.packages,data:data8};
if(vErrors === null){
vErrors = [err17];
}
else {
vErrors.push(err17);
}
errors++;
break;
}
indices0[item0] = i1;
}
}
}
else {
const err18 = {instancePath:instancePath+"/repository/packages",schemaPath:"#/properties/repository/properties/packages/type",keyword:"type",params:{type: "array"},message:"must be array",schema:schema19.properties.repository.properties.packages.type,parentSchema:schema19.properties.repository.properties.packages,data:data8};
if(vErrors === null){
vErrors = [err18];
}
else {
vErrors.push(err18);
}
errors++;
}
}
}
}
if(data.daemon !== undefined){
let data10 = data.daemon;
if((!(data10 && typeof data10 == "object" && !Array.isArray(data10))) && (data10 !== null)){
const err19 = {instancePath:instancePath+"/daemon",schemaPath:"#/properties/daemon/type",keyword:"type",params:{type: schema19.properties.daemon.type},message:"must be object,null",schema:schema19.properties.daemon.type,parentSchema:schema19.properties.daemon,data:data10};
if(vErrors === null){
vErrors = [err19];
}
else {
vErrors.push(err19);
}
errors++;
}
if(data10 && typeof data10 == "object" && !Array.isArray(data10)){
for(const key2 in data10){
if(!(func2.call(schema19.properties.daemon.properties, key2))){
const err20 = {instancePath:instancePath+"/daemon",schemaPath:"#/properties/daemon/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key2},message:"must NOT have additional properties",schema:false,parentSchema:schema19.properties.daemon,data:data10};
if(vErrors === null){
vErrors = [err20];
}
else {
vErrors.push(err20);
}
errors++;
}
}
}
}
if(data.users !== undefined){
let data11 = data.users;
if(Array.isArray(data11)){
const len1 = data11.length;
for(let i2=0; i2<len1; i2++){
let data12 = data11[i2];
if(typeof data12 === "string"){
if(func3(data12) > 32){
const err21 = {instancePath:instancePath+"/users/" + i2,schemaPath:"#/definitions/accountName/maxLength",keyword:"maxLength",params:{limit: 32},message:"must NOT have more than 32 characters",schema:32,parentSchema:schema20,data:data12};
if(vErrors === null){
vErrors = [err21];
}
else {
vErrors.push(err21);
}
errors++;
}
if(!pattern4.test(data12)){
const err22 = {instancePath:instancePath+"/users/" + i2,schemaPath:"#/definitions/accountName/pattern",keyword:"pattern",params:{pattern: "^[a-z_][a-z0-9_.-]*[$]?$"},message:"must match pattern \""+"^[a-z_][a-z0-9_.-]*[$]?$"+"\"",schema:"^[a-z_][a-z0-9_.-]*[$]?$",parentSchema:schema20,data:data12};
if(vErrors === null){
vErrors = [err22];
}
else {
vErrors.push(err22);
}
errors++;
}
}
else {
const err23 = {instancePath:instancePath+"/users/" + i2,schemaPath:"#/definitions/accountName/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema20.type,parentSchema:schema20,data:data12};
if(vErrors === null){
vErrors = [err23];
}
else {
vErrors.push(err23);
}
errors++;
}
}
let i3 = data11.length;
let j1;
if(i3 > 1){
outer0:
for(;i3--;){
for(j1 = i3; j1--;){
if(func0(data11[i3], data11[j1])){
const err24 = {instancePath:instancePath+"/users",schemaPath:"#/properties/users/uniqueItems",keyword:"uniqueItems",params:{i: i3, j: j1},message:"must NOT have duplicate items (items ## "+j1+" and "+i3+" are identical)",schema:true,parentSchema:schema19.properties.users,data:data11};
if(vErrors === null){
vErrors = [err24];
}
else {
vErrors.push(err24);
}
errors++;
break outer0;
}
}
}
}
}
else {
const err25 = {instancePath:instancePath+"/users",schemaPath:"#/properties/users/type",keyword:"type",params:{type: "array"},message:"must be array",schema:schema19.properties.users.type,parentSchema:schema19.properties.users,data:data11};
if(vErrors === null){
vErrors = [err25];
}
else {
vErrors.push(err25);
}
errors++;
}
}
if(data.compose !== undefined){
let data13 = data.compose;
if(typeof data13 !== "boolean"){
const err26 = {instancePath:instancePath+"/compose",schemaPath:"#/properties/compose/type",keyword:"type",params:{type: "boolean"},message:"must be boolean",schema:schema19.properties.compose.type,parentSchema:schema19.properties.compose,data:data13};
if(vErrors === null){
vErrors = [err26];
}
else {
vErrors.push(err26);
}
errors++;
}
}
if(data.bundle !== undefined){
let data14 = data.bundle;
if(typeof data14 === "string"){
if(func3(data14) < 1){
const err27 = {instancePath:instancePath+"/bundle",schemaPath:"#/properties/bundle/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters",schema:1,parentSchema:schema19.properties.bundle,data:data14};
if(vErrors === null){
vErrors = [err27];
}
else {
vErrors.push(err27);
}
errors++;
}
}
else {
const err28 = {instancePath:instancePath+"/bundle",schemaPath:"#/properties/bundle/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema19.properties.bundle.type,parentSchema:schema19.properties.bundle,data:data14};
if(vErrors === null){
vErrors = [err28];
}
else {
vErrors.push(err28);
}
errors++;
}
}
}
validate11.errors = vErrors;
return errors === 0;
}

const schema21 = {"type":"object","required":["name","type"],"properties":{"type":{"description":"What the provisioner does.","enum":["shell","file","docker"]}},"allOf":[{"if":{"properties":{"type":{"const":"shell"}},"required":["type"]},"then":{"$ref":"#/definitions/shellProvisioner"}},{"if":{"properties":{"type":{"const":"file"}},"required":["type"]},"then":{"$ref":"#/definitions/fileProvisioner"}},{"if":{"properties":{"type":{"const":"docker"}},"required":["type"]},"then":{"$ref":"#/definitions/dockerProvisioner"}}]};
const schema22 = {"type":"object","additionalProperties":false,"properties":{"name":{"$ref":"#/definitions/provisionerName"},"type":{"const":"shell"},"run":{"$ref":"#/definitions/run"},"hosts":{"$ref":"#/definitions/provisionerHosts"},"inline":{"description":"A POSIX shell script, given inline.","type":"string","minLength":1},"script":{"description":"A script file, relative to tk.yml, copied to the host and run.","type":"string","minLength":1},"env":{"$ref":"#/definitions/env"},"privileged":{"description":"true runs as root (through sudo when the login user is not root); false as the login user. Default: true.","type":"boolean"}},"oneOf":[{"required":["inline"]},{"required":["script"]}]};
const schema24 = {"description":"once: only until it has succeeded on the host (again when its spec changes); always: on every tk up. Default: once.","enum":["once","always"]};
const schema25 = {"description":"Only these hosts and groups (@web or web). Default: every host.","type":"array","items":{"type":"string","minLength":1},"minItems":1};
const schema26 = {"description":"Environment variables, NAME: value.","type":["object","null"],"propertyNames":{"pattern":"^[A-Za-z_][A-Za-z0-9_]*$","patternErrorMessage":"an environment variable name (letters, digits, '_')"},"additionalProperties":{"type":["string","number","boolean"]}};
const pattern6 = new RegExp("^[A-Za-z_][A-Za-z0-9_]*$", "u");

function validate14(data, {instancePath="", parentData, parentDataProperty, rootData=data}={}){
let vErrors = null;
let errors = 0;
const _errs1 = errors;
let valid0 = false;
let passing0 = null;
const _errs2 = errors;
if(data && typeof data == "object" && !Array.isArray(data)){
if(data.inline === undefined){
const err0 = {instancePath,schemaPath:"#/oneOf/0/required",keyword:"required",params:{missingProperty: "inline"},message:"must have required property '"+"inline"+"'",schema:schema22.oneOf[0].required,parentSchema:schema22.oneOf[0],data};
if(vErrors === null){
vErrors = [err0];
}
else {
vErrors.push(err0);
}
errors++;
}
}
var _valid0 = _errs2 === errors;
if(_valid0){
valid0 = true;
passing0 = 0;
}
const _errs3 = errors;
if(data && typeof data == "object" && !Array.isArray(data)){
if(data.script === undefined){
const err1 = {instancePath,schemaPath:"#/oneOf/1/required",keyword:"required",params:{missingProperty: "script"},message:"must have required property '"+"script"+"'",schema:schema22.oneOf[1].required,parentSchema:schema22.oneOf[1],data};
if(vErrors === null){
vErrors = [err1];
}
else {
vErrors.push(err1);
}
errors++;
}
}
var _valid0 = _errs3 === errors;
if(_valid0 && valid0){
valid0 = false;
passing0 = [passing0, 1];
}
else {
if(_valid0){
valid0 = true;
passing0 = 1;
}
}
if(!valid0){
const err2 = {instancePath,schemaPath:"#/oneOf",keyword:"oneOf",params:{passingSchemas: passing0},message:"must match exactly one schema in oneOf",schema:schema22.oneOf,parentSchema:schema22,data};
if(vErrors === null){
vErrors = [err2];
}
else {
vErrors.push(err2);
}
errors++;
}
else {
errors = _errs1;
if(vErrors !== null){
if(_errs1){
vErrors.length = _errs1;
}
else {
vErrors = null;
}
}
}
if(data && typeof data == "object" && !Array.isArray(data)){
for(const key0 in data){
if(!((((((((key0 === "name") || (key0 === "type")) || (key0 === "run")) || (key0 === "hosts")) || (key0 === "inline")) || (key0 === "script")) || (key0 === "env")) || (key0 === "privileged"))){
const err3 = {instancePath,schemaPath:"#/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key0},message:"must NOT have additional properties",schema:false,parentSchema:schema22,data};
if(vErrors === null){
vErrors = [err3];
}
else {
vErrors.push(err3);
}
errors++;
}
}
if(data.name !== undefined){
let data0 = data.name;
if(typeof data0 === "string"){
if(!pattern5.test(data0)){
const err4 = {instancePath:instancePath+"/name",schemaPath:"#/definitions/provisionerName/pattern",keyword:"pattern",params:{pattern: "^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$"},message:"must match pattern \""+"^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$"+"\"",schema:"^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$",parentSchema:schema23,data:data0};
if(vErrors === null){
vErrors = [err4];
}
else {
vErrors.push(err4);
}
errors++;
}
}
else {
const err5 = {instancePath:instancePath+"/name",schemaPath:"#/definitions/provisionerName/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema23.type,parentSchema:schema23,data:data0};
if(vErrors === null){
vErrors = [err5];
}
else {
vErrors.push(err5);
}
errors++;
}
}
if(data.type !== undefined){
let data1 = data.type;
if("shell" !== data1){
const err6 = {instancePath:instancePath+"/type",schemaPath:"#/properties/type/const",keyword:"const",params:{allowedValue: "shell"},message:"must be equal to constant",schema:"shell",parentSchema:schema22.properties.type,data:data1};
if(vErrors === null){
vErrors = [err6];
}
else {
vErrors.push(err6);
}
errors++;
}
}
if(data.run !== undefined){
let data2 = data.run;
if(!((data2 === "once") || (data2 === "always"))){
const err7 = {instancePath:instancePath+"/run",schemaPath:"#/definitions/run/enum",keyword:"enum",params:{allowedValues: schema24.enum},message:"must be equal to one of the allowed values",schema:schema24.enum,parentSchema:schema24,data:data2};
if(vErrors === null){
vErrors = [err7];
}
else {
vErrors.push(err7);
}
errors++;
}
}
if(data.hosts !== undefined){
let data3 = data.hosts;
if(Array.isArray(data3)){
if(data3.length < 1){
const err8 = {instancePath:instancePath+"/hosts",schemaPath:"#/definitions/provisionerHosts/minItems",keyword:"minItems",params:{limit: 1},message:"must NOT have fewer than 1 items",schema:1,parentSchema:schema25,data:data3};
if(vErrors === null){
vErrors = [err8];
}
else {
vErrors.push(err8);
}
errors++;
}
const len0 = data3.length;
for(let i0=0; i0<len0; i0++){
let data4 = data3[i0];
if(typeof data4 === "string"){
if(func3(data4) < 1){
const err9 = {instancePath:instancePath+"/hosts/" + i0,schemaPath:"#/definitions/provisionerHosts/items/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters",schema:1,parentSchema:schema25.items,data:data4};
if(vErrors === null){
vErrors = [err9];
}
else {
vErrors.push(err9);
}
errors++;
}
}
else {
const err10 = {instancePath:instancePath+"/hosts/" + i0,schemaPath:"#/definitions/provisionerHosts/items/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema25.items.type,parentSchema:schema25.items,data:data4};
if(vErrors === null){
vErrors = [err10];
}
else {
vErrors.push(err10);
}
errors++;
}
}
}
else {
const err11 = {instancePath:instancePath+"/hosts",schemaPath:"#/definitions/provisionerHosts/type",keyword:"type",params:{type: "array"},message:"must be array",schema:schema25.type,parentSchema:schema25,data:data3};
if(vErrors === null){
vErrors = [err11];
}
else {
vErrors.push(err11);
}
errors++;
}
}
if(data.inline !== undefined){
let data5 = data.inline;
if(typeof data5 === "string"){
if(func3(data5) < 1){
const err12 = {instancePath:instancePath+"/inline",schemaPath:"#/properties/inline/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters",schema:1,parentSchema:schema22.properties.inline,data:data5};
if(vErrors === null){
vErrors = [err12];
}
else {
vErrors.push(err12);
}
errors++;
}
}
else {
const err13 = {instancePath:instancePath+"/inline",schemaPath:"#/properties/inline/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema22.properties.inline.type,parentSchema:schema22.properties.inline,data:data5};
if(vErrors === null){
vErrors = [err13];
}
else {
vErrors.push(err13);
}
errors++;
}
}
if(data.script !== undefined){
let data6 = data.script;
if(typeof data6 === "string"){
if(func3(data6) < 1){
const err14 = {instancePath:instancePath+"/script",schemaPath:"#/properties/script/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters",schema:1,parentSchema:schema22.properties.script,data:data6};
if(vErrors === null){
vErrors = [err14];
}
else {
vErrors.push(err14);
}
errors++;
}
}
else {
const err15 = {instancePath:instancePath+"/script",schemaPath:"#/properties/script/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema22.properties.script.type,parentSchema:schema22.properties.script,data:data6};
if(vErrors === null){
vErrors = [err15];
}
else {
vErrors.push(err15);
}
errors++;
}
}
if(data.env !== undefined){
let data7 = data.env;
if((!(data7 && typeof data7 == "object" && !Array.isArray(data7))) && (data7 !== null)){
const err16 = {instancePath:instancePath+"/env",schemaPath:"#/definitions/env/type",keyword:"type",params:{type: schema26.type},message:"must be object,null",schema:schema26.type,parentSchema:schema26,data:data7};
if(vErrors === null){
vErrors = [err16];
}
else {
vErrors.push(err16);
}
errors++;
}
if(data7 && typeof data7 == "object" && !Array.isArray(data7)){
for(const key1 in data7){
const _errs24 = errors;
if(typeof key1 === "string"){
if(!pattern6.test(key1)){
const err17 = {instancePath:instancePath+"/env",schemaPath:"#/definitions/env/propertyNames/pattern",keyword:"pattern",params:{pattern: "^[A-Za-z_][A-Za-z0-9_]*$"},message:"must match pattern \""+"^[A-Za-z_][A-Za-z0-9_]*$"+"\"",schema:"^[A-Za-z_][A-Za-z0-9_]*$",parentSchema:schema26.propertyNames,data:key1,propertyName:key1};
if(vErrors === null){
vErrors = [err17];
}
else {
vErrors.push(err17);
}
errors++;
}
}
var valid8 = _errs24 === errors;
if(!valid8){
const err18 = {instancePath:instancePath+"/env",schemaPath:"#/definitions/env/propertyNames",keyword:"propertyNames",params:{propertyName: key1},message:"property name must be valid",schema:schema26.propertyNames,parentSchema:schema26,data:data7};
if(vErrors === null){
vErrors = [err18];
}
else {
vErrors.push(err18);
}
errors++;
}
}
for(const key2 in data7){
let data8 = data7[key2];
if(((typeof data8 !== "string") && (!((typeof data8 == "number") && (isFinite(data8))))) && (typeof data8 !== "boolean")){
const err19 = {instancePath:instancePath+"/env/" + key2.replace(/~/g, "~0").replace(/\//g, "~1"),schemaPath:"#/definitions/env/additionalProperties/type",keyword:"type",params:{type: schema26.additionalProperties.type},message:"must be string,number,boolean",schema:schema26.additionalProperties.type,parentSchema:schema26.additionalProperties,data:data8};
if(vErrors === null){
vErrors = [err19];
}
else {
vErrors.push(err19);
}
errors++;
}
}
}
}
if(data.privileged !== undefined){
let data9 = data.privileged;
if(typeof data9 !== "boolean"){
const err20 = {instancePath:instancePath+"/privileged",schemaPath:"#/properties/privileged/type",keyword:"type",params:{type: "boolean"},message:"must be boolean",schema:schema22.properties.privileged.type,parentSchema:schema22.properties.privileged,data:data9};
if(vErrors === null){
vErrors = [err20];
}
else {
vErrors.push(err20);
}
errors++;
}
}
}
else {
const err21 = {instancePath,schemaPath:"#/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema22.type,parentSchema:schema22,data};
if(vErrors === null){
vErrors = [err21];
}
else {
vErrors.push(err21);
}
errors++;
}
validate14.errors = vErrors;
return errors === 0;
}

const schema27 = {"type":"object","additionalProperties":false,"required":["source","destination"],"properties":{"name":{"$ref":"#/definitions/provisionerName"},"type":{"const":"file"},"run":{"$ref":"#/definitions/run"},"hosts":{"$ref":"#/definitions/provisionerHosts"},"drift":{"$ref":"#/definitions/drift"},"source":{"description":"A file or directory, relative to tk.yml.","type":"string","minLength":1},"destination":{"description":"Where it goes on the host: an absolute path.","type":"string","pattern":"^/","patternErrorMessage":"an absolute path on the host (starting with /)"},"mode":{"description":"File mode as an octal string, quoted (\"0644\"). Default: the source file's mode.","type":"string","pattern":"^0?[0-7]{3}$","patternErrorMessage":"an octal mode in quotes, like \"0644\""},"owner":{"description":"USER or USER:GROUP on the host. Default: root:root.","type":"string","pattern":"^[A-Za-z0-9_][A-Za-z0-9_.-]*(:[A-Za-z0-9_][A-Za-z0-9_.-]*)?$","patternErrorMessage":"USER or USER:GROUP"},"followSymlinks":{"description":"Whether a symbolic link in the source may lead outside it (e.g. files/key -> ~/.ssh/id_ed25519): the file it points to is sent. Default: false, such a link is refused.","type":"boolean"}}};
const schema31 = {"description":"check: every tk up (and tk status) compares the host with the description and tk up puts back what was changed there; ignore: tk trusts its record of what it applied (the host is not looked at while the spec is unchanged). Default: check.","enum":["check","ignore"]};
const pattern8 = new RegExp("^/", "u");
const pattern9 = new RegExp("^0?[0-7]{3}$", "u");
const pattern10 = new RegExp("^[A-Za-z0-9_][A-Za-z0-9_.-]*(:[A-Za-z0-9_][A-Za-z0-9_.-]*)?$", "u");

function validate16(data, {instancePath="", parentData, parentDataProperty, rootData=data}={}){
let vErrors = null;
let errors = 0;
if(data && typeof data == "object" && !Array.isArray(data)){
if(data.source === undefined){
const err0 = {instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: "source"},message:"must have required property '"+"source"+"'",schema:schema27.required,parentSchema:schema27,data};
if(vErrors === null){
vErrors = [err0];
}
else {
vErrors.push(err0);
}
errors++;
}
if(data.destination === undefined){
const err1 = {instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: "destination"},message:"must have required property '"+"destination"+"'",schema:schema27.required,parentSchema:schema27,data};
if(vErrors === null){
vErrors = [err1];
}
else {
vErrors.push(err1);
}
errors++;
}
for(const key0 in data){
if(!(func2.call(schema27.properties, key0))){
const err2 = {instancePath,schemaPath:"#/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key0},message:"must NOT have additional properties",schema:false,parentSchema:schema27,data};
if(vErrors === null){
vErrors = [err2];
}
else {
vErrors.push(err2);
}
errors++;
}
}
if(data.name !== undefined){
let data0 = data.name;
if(typeof data0 === "string"){
if(!pattern5.test(data0)){
const err3 = {instancePath:instancePath+"/name",schemaPath:"#/definitions/provisionerName/pattern",keyword:"pattern",params:{pattern: "^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$"},message:"must match pattern \""+"^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$"+"\"",schema:"^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$",parentSchema:schema23,data:data0};
if(vErrors === null){
vErrors = [err3];
}
else {
vErrors.push(err3);
}
errors++;
}
}
else {
const err4 = {instancePath:instancePath+"/name",schemaPath:"#/definitions/provisionerName/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema23.type,parentSchema:schema23,data:data0};
if(vErrors === null){
vErrors = [err4];
}
else {
vErrors.push(err4);
}
errors++;
}
}
if(data.type !== undefined){
let data1 = data.type;
if("file" !== data1){
const err5 = {instancePath:instancePath+"/type",schemaPath:"#/properties/type/const",keyword:"const",params:{allowedValue: "file"},message:"must be equal to constant",schema:"file",parentSchema:schema27.properties.type,data:data1};
if(vErrors === null){
vErrors = [err5];
}
else {
vErrors.push(err5);
}
errors++;
}
}
if(data.run !== undefined){
let data2 = data.run;
if(!((data2 === "once") || (data2 === "always"))){
const err6 = {instancePath:instancePath+"/run",schemaPath:"#/definitions/run/enum",keyword:"enum",params:{allowedValues: schema24.enum},message:"must be equal to one of the allowed values",schema:schema24.enum,parentSchema:schema24,data:data2};
if(vErrors === null){
vErrors = [err6];
}
else {
vErrors.push(err6);
}
errors++;
}
}
if(data.hosts !== undefined){
let data3 = data.hosts;
if(Array.isArray(data3)){
if(data3.length < 1){
const err7 = {instancePath:instancePath+"/hosts",schemaPath:"#/definitions/provisionerHosts/minItems",keyword:"minItems",params:{limit: 1},message:"must NOT have fewer than 1 items",schema:1,parentSchema:schema25,data:data3};
if(vErrors === null){
vErrors = [err7];
}
else {
vErrors.push(err7);
}
errors++;
}
const len0 = data3.length;
for(let i0=0; i0<len0; i0++){
let data4 = data3[i0];
if(typeof data4 === "string"){
if(func3(data4) < 1){
const err8 = {instancePath:instancePath+"/hosts/" + i0,schemaPath:"#/definitions/provisionerHosts/items/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters",schema:1,parentSchema:schema25.items,data:data4};
if(vErrors === null){
vErrors = [err8];
}
else {
vErrors.push(err8);
}
errors++;
}
}
else {
const err9 = {instancePath:instancePath+"/hosts/" + i0,schemaPath:"#/definitions/provisionerHosts/items/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema25.items.type,parentSchema:schema25.items,data:data4};
if(vErrors === null){
vErrors = [err9];
}
else {
vErrors.push(err9);
}
errors++;
}
}
}
else {
const err10 = {instancePath:instancePath+"/hosts",schemaPath:"#/definitions/provisionerHosts/type",keyword:"type",params:{type: "array"},message:"must be array",schema:schema25.type,parentSchema:schema25,data:data3};
if(vErrors === null){
vErrors = [err10];
}
else {
vErrors.push(err10);
}
errors++;
}
}
if(data.drift !== undefined){
let data5 = data.drift;
if(!((data5 === "check") || (data5 === "ignore"))){
const err11 = {instancePath:instancePath+"/drift",schemaPath:"#/definitions/drift/enum",keyword:"enum",params:{allowedValues: schema31.enum},message:"must be equal to one of the allowed values",schema:schema31.enum,parentSchema:schema31,data:data5};
if(vErrors === null){
vErrors = [err11];
}
else {
vErrors.push(err11);
}
errors++;
}
}
if(data.source !== undefined){
let data6 = data.source;
if(typeof data6 === "string"){
if(func3(data6) < 1){
const err12 = {instancePath:instancePath+"/source",schemaPath:"#/properties/source/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters",schema:1,parentSchema:schema27.properties.source,data:data6};
if(vErrors === null){
vErrors = [err12];
}
else {
vErrors.push(err12);
}
errors++;
}
}
else {
const err13 = {instancePath:instancePath+"/source",schemaPath:"#/properties/source/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema27.properties.source.type,parentSchema:schema27.properties.source,data:data6};
if(vErrors === null){
vErrors = [err13];
}
else {
vErrors.push(err13);
}
errors++;
}
}
if(data.destination !== undefined){
let data7 = data.destination;
if(typeof data7 === "string"){
if(!pattern8.test(data7)){
const err14 = {instancePath:instancePath+"/destination",schemaPath:"#/properties/destination/pattern",keyword:"pattern",params:{pattern: "^/"},message:"must match pattern \""+"^/"+"\"",schema:"^/",parentSchema:schema27.properties.destination,data:data7};
if(vErrors === null){
vErrors = [err14];
}
else {
vErrors.push(err14);
}
errors++;
}
}
else {
const err15 = {instancePath:instancePath+"/destination",schemaPath:"#/properties/destination/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema27.properties.destination.type,parentSchema:schema27.properties.destination,data:data7};
if(vErrors === null){
vErrors = [err15];
}
else {
vErrors.push(err15);
}
errors++;
}
}
if(data.mode !== undefined){
let data8 = data.mode;
if(typeof data8 === "string"){
if(!pattern9.test(data8)){
const err16 = {instancePath:instancePath+"/mode",schemaPath:"#/properties/mode/pattern",keyword:"pattern",params:{pattern: "^0?[0-7]{3}$"},message:"must match pattern \""+"^0?[0-7]{3}$"+"\"",schema:"^0?[0-7]{3}$",parentSchema:schema27.properties.mode,data:data8};
if(vErrors === null){
vErrors = [err16];
}
else {
vErrors.push(err16);
}
errors++;
}
}
else {
const err17 = {instancePath:instancePath+"/mode",schemaPath:"#/properties/mode/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema27.properties.mode.type,parentSchema:schema27.properties.mode,data:data8};
if(vErrors === null){
vErrors = [err17];
}
else {
vErrors.push(err17);
}
errors++;
}
}
if(data.owner !== undefined){
let data9 = data.owner;
if(typeof data9 === "string"){
if(!pattern10.test(data9)){
const err18 = {instancePath:instancePath+"/owner",schemaPath:"#/properties/owner/pattern",keyword:"pattern",params:{pattern: "^[A-Za-z0-9_][A-Za-z0-9_.-]*(:[A-Za-z0-9_][A-Za-z0-9_.-]*)?$"},message:"must match pattern \""+"^[A-Za-z0-9_][A-Za-z0-9_.-]*(:[A-Za-z0-9_][A-Za-z0-9_.-]*)?$"+"\"",schema:"^[A-Za-z0-9_][A-Za-z0-9_.-]*(:[A-Za-z0-9_][A-Za-z0-9_.-]*)?$",parentSchema:schema27.properties.owner,data:data9};
if(vErrors === null){
vErrors = [err18];
}
else {
vErrors.push(err18);
}
errors++;
}
}
else {
const err19 = {instancePath:instancePath+"/owner",schemaPath:"#/properties/owner/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema27.properties.owner.type,parentSchema:schema27.properties.owner,data:data9};
if(vErrors === null){
vErrors = [err19];
}
else {
vErrors.push(err19);
}
errors++;
}
}
if(data.followSymlinks !== undefined){
let data10 = data.followSymlinks;
if(typeof data10 !== "boolean"){
const err20 = {instancePath:instancePath+"/followSymlinks",schemaPath:"#/properties/followSymlinks/type",keyword:"type",params:{type: "boolean"},message:"must be boolean",schema:schema27.properties.followSymlinks.type,parentSchema:schema27.properties.followSymlinks,data:data10};
if(vErrors === null){
vErrors = [err20];
}
else {
vErrors.push(err20);
}
errors++;
}
}
}
else {
const err21 = {instancePath,schemaPath:"#/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema27.type,parentSchema:schema27,data};
if(vErrors === null){
vErrors = [err21];
}
else {
vErrors.push(err21);
}
errors++;
}
validate16.errors = vErrors;
return errors === 0;
}

const schema32 = {"type":"object","additionalProperties":false,"required":["image"],"properties":{"name":{"$ref":"#/definitions/provisionerName"},"type":{"const":"docker"},"run":{"$ref":"#/definitions/run"},"hosts":{"$ref":"#/definitions/provisionerHosts"},"drift":{"$ref":"#/definitions/drift"},"image":{"description":"The image reference, e.g. nginx:1.27 or registry.example:5000/app:1.","type":"string","minLength":1},"load":{"description":"An image archive (docker save), relative to tk.yml, loaded instead of pulling.","type":"string","minLength":1},"container":{"description":"A container to run from the image; recreated only when this spec or the image changes. Without it the image is only made present.","type":"object","additionalProperties":false,"required":["name"],"properties":{"name":{"$ref":"#/definitions/name","description":"The container's name on the host."},"command":{"description":"The command, as a string (run by the image's shell form) or a list of arguments.","type":["string","array"],"items":{"type":"string"}},"ports":{"description":"Published ports as docker run -p takes them: \"8080:80\", \"127.0.0.1:8080:80/tcp\".","type":"array","items":{"type":"string","pattern":"^(\\[?[0-9A-Fa-f.:]+\\]?:)?([0-9]{1,5}(-[0-9]{1,5})?:)?[0-9]{1,5}(-[0-9]{1,5})?(/(tcp|udp|sctp))?$","patternErrorMessage":"a port mapping in quotes, like \"8080:80\" or \"127.0.0.1:8080:80/tcp\""}},"env":{"$ref":"#/definitions/env"},"volumes":{"description":"Volumes and bind mounts as docker run -v takes them: \"data:/var/lib/app\", \"/srv/www:/usr/share/nginx/html:ro\".","type":"array","items":{"type":"string","minLength":1}},"restart":{"description":"Restart policy. Default: unless-stopped.","enum":["no","always","unless-stopped","on-failure"]},"healthcheck":{"description":"The container's health check (docker run --health-*), and how long tk up waits for it: a created or recreated container counts as converged only once healthy, and one that is not healthy in time is removed and the previous container put back. Without it, tk up waits (healthcheck.wait, default 120 s) for the image's own health check when the image has one.","type":"object","additionalProperties":false,"properties":{"test":{"description":"A shell command run in the container; exit 0 means healthy (docker run --health-cmd). Default: the image's health check.","type":"string","minLength":1},"interval":{"description":"Seconds between checks. Default: the image's, else docker's 30.","type":"number","exclusiveMinimum":0},"timeout":{"description":"Seconds one check may take. Default: the image's, else docker's 30.","type":"number","exclusiveMinimum":0},"retries":{"description":"Failed checks in a row that make the container unhealthy. Default: the image's, else docker's 3.","type":"integer","minimum":1},"startPeriod":{"description":"Seconds after the start in which failed checks do not count. Default: the image's, else 0.","type":"number","minimum":0},"wait":{"description":"Seconds tk up waits for the container to become healthy before it rolls it back. Default: 120.","type":"integer","minimum":1,"maximum":3600}}},"state":{"description":"running: tk up starts the container when it is stopped; stopped: tk up creates it when missing but keeps it stopped, and stops it when it runs. Default: running.","enum":["running","stopped"]}}}}};
const pattern13 = new RegExp("^(\\[?[0-9A-Fa-f.:]+\\]?:)?([0-9]{1,5}(-[0-9]{1,5})?:)?[0-9]{1,5}(-[0-9]{1,5})?(/(tcp|udp|sctp))?$", "u");

function validate18(data, {instancePath="", parentData, parentDataProperty, rootData=data}={}){
let vErrors = null;
let errors = 0;
if(data && typeof data == "object" && !Array.isArray(data)){
if(data.image === undefined){
const err0 = {instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: "image"},message:"must have required property '"+"image"+"'",schema:schema32.required,parentSchema:schema32,data};
if(vErrors === null){
vErrors = [err0];
}
else {
vErrors.push(err0);
}
errors++;
}
for(const key0 in data){
if(!((((((((key0 === "name") || (key0 === "type")) || (key0 === "run")) || (key0 === "hosts")) || (key0 === "drift")) || (key0 === "image")) || (key0 === "load")) || (key0 === "container"))){
const err1 = {instancePath,schemaPath:"#/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key0},message:"must NOT have additional properties",schema:false,parentSchema:schema32,data};
if(vErrors === null){
vErrors = [err1];
}
else {
vErrors.push(err1);
}
errors++;
}
}
if(data.name !== undefined){
let data0 = data.name;
if(typeof data0 === "string"){
if(!pattern5.test(data0)){
const err2 = {instancePath:instancePath+"/name",schemaPath:"#/definitions/provisionerName/pattern",keyword:"pattern",params:{pattern: "^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$"},message:"must match pattern \""+"^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$"+"\"",schema:"^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$",parentSchema:schema23,data:data0};
if(vErrors === null){
vErrors = [err2];
}
else {
vErrors.push(err2);
}
errors++;
}
}
else {
const err3 = {instancePath:instancePath+"/name",schemaPath:"#/definitions/provisionerName/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema23.type,parentSchema:schema23,data:data0};
if(vErrors === null){
vErrors = [err3];
}
else {
vErrors.push(err3);
}
errors++;
}
}
if(data.type !== undefined){
let data1 = data.type;
if("docker" !== data1){
const err4 = {instancePath:instancePath+"/type",schemaPath:"#/properties/type/const",keyword:"const",params:{allowedValue: "docker"},message:"must be equal to constant",schema:"docker",parentSchema:schema32.properties.type,data:data1};
if(vErrors === null){
vErrors = [err4];
}
else {
vErrors.push(err4);
}
errors++;
}
}
if(data.run !== undefined){
let data2 = data.run;
if(!((data2 === "once") || (data2 === "always"))){
const err5 = {instancePath:instancePath+"/run",schemaPath:"#/definitions/run/enum",keyword:"enum",params:{allowedValues: schema24.enum},message:"must be equal to one of the allowed values",schema:schema24.enum,parentSchema:schema24,data:data2};
if(vErrors === null){
vErrors = [err5];
}
else {
vErrors.push(err5);
}
errors++;
}
}
if(data.hosts !== undefined){
let data3 = data.hosts;
if(Array.isArray(data3)){
if(data3.length < 1){
const err6 = {instancePath:instancePath+"/hosts",schemaPath:"#/definitions/provisionerHosts/minItems",keyword:"minItems",params:{limit: 1},message:"must NOT have fewer than 1 items",schema:1,parentSchema:schema25,data:data3};
if(vErrors === null){
vErrors = [err6];
}
else {
vErrors.push(err6);
}
errors++;
}
const len0 = data3.length;
for(let i0=0; i0<len0; i0++){
let data4 = data3[i0];
if(typeof data4 === "string"){
if(func3(data4) < 1){
const err7 = {instancePath:instancePath+"/hosts/" + i0,schemaPath:"#/definitions/provisionerHosts/items/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters",schema:1,parentSchema:schema25.items,data:data4};
if(vErrors === null){
vErrors = [err7];
}
else {
vErrors.push(err7);
}
errors++;
}
}
else {
const err8 = {instancePath:instancePath+"/hosts/" + i0,schemaPath:"#/definitions/provisionerHosts/items/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema25.items.type,parentSchema:schema25.items,data:data4};
if(vErrors === null){
vErrors = [err8];
}
else {
vErrors.push(err8);
}
errors++;
}
}
}
else {
const err9 = {instancePath:instancePath+"/hosts",schemaPath:"#/definitions/provisionerHosts/type",keyword:"type",params:{type: "array"},message:"must be array",schema:schema25.type,parentSchema:schema25,data:data3};
if(vErrors === null){
vErrors = [err9];
}
else {
vErrors.push(err9);
}
errors++;
}
}
if(data.drift !== undefined){
let data5 = data.drift;
if(!((data5 === "check") || (data5 === "ignore"))){
const err10 = {instancePath:instancePath+"/drift",schemaPath:"#/definitions/drift/enum",keyword:"enum",params:{allowedValues: schema31.enum},message:"must be equal to one of the allowed values",schema:schema31.enum,parentSchema:schema31,data:data5};
if(vErrors === null){
vErrors = [err10];
}
else {
vErrors.push(err10);
}
errors++;
}
}
if(data.image !== undefined){
let data6 = data.image;
if(typeof data6 === "string"){
if(func3(data6) < 1){
const err11 = {instancePath:instancePath+"/image",schemaPath:"#/properties/image/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters",schema:1,parentSchema:schema32.properties.image,data:data6};
if(vErrors === null){
vErrors = [err11];
}
else {
vErrors.push(err11);
}
errors++;
}
}
else {
const err12 = {instancePath:instancePath+"/image",schemaPath:"#/properties/image/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema32.properties.image.type,parentSchema:schema32.properties.image,data:data6};
if(vErrors === null){
vErrors = [err12];
}
else {
vErrors.push(err12);
}
errors++;
}
}
if(data.load !== undefined){
let data7 = data.load;
if(typeof data7 === "string"){
if(func3(data7) < 1){
const err13 = {instancePath:instancePath+"/load",schemaPath:"#/properties/load/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters",schema:1,parentSchema:schema32.properties.load,data:data7};
if(vErrors === null){
vErrors = [err13];
}
else {
vErrors.push(err13);
}
errors++;
}
}
else {
const err14 = {instancePath:instancePath+"/load",schemaPath:"#/properties/load/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema32.properties.load.type,parentSchema:schema32.properties.load,data:data7};
if(vErrors === null){
vErrors = [err14];
}
else {
vErrors.push(err14);
}
errors++;
}
}
if(data.container !== undefined){
let data8 = data.container;
if(data8 && typeof data8 == "object" && !Array.isArray(data8)){
if(data8.name === undefined){
const err15 = {instancePath:instancePath+"/container",schemaPath:"#/properties/container/required",keyword:"required",params:{missingProperty: "name"},message:"must have required property '"+"name"+"'",schema:schema32.properties.container.required,parentSchema:schema32.properties.container,data:data8};
if(vErrors === null){
vErrors = [err15];
}
else {
vErrors.push(err15);
}
errors++;
}
for(const key1 in data8){
if(!((((((((key1 === "name") || (key1 === "command")) || (key1 === "ports")) || (key1 === "env")) || (key1 === "volumes")) || (key1 === "restart")) || (key1 === "healthcheck")) || (key1 === "state"))){
const err16 = {instancePath:instancePath+"/container",schemaPath:"#/properties/container/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key1},message:"must NOT have additional properties",schema:false,parentSchema:schema32.properties.container,data:data8};
if(vErrors === null){
vErrors = [err16];
}
else {
vErrors.push(err16);
}
errors++;
}
}
if(data8.name !== undefined){
let data9 = data8.name;
if(typeof data9 === "string"){
if(!pattern5.test(data9)){
const err17 = {instancePath:instancePath+"/container/name",schemaPath:"#/definitions/name/pattern",keyword:"pattern",params:{pattern: "^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$"},message:"must match pattern \""+"^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$"+"\"",schema:"^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$",parentSchema:schema23,data:data9};
if(vErrors === null){
vErrors = [err17];
}
else {
vErrors.push(err17);
}
errors++;
}
}
else {
const err18 = {instancePath:instancePath+"/container/name",schemaPath:"#/definitions/name/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema23.type,parentSchema:schema23,data:data9};
if(vErrors === null){
vErrors = [err18];
}
else {
vErrors.push(err18);
}
errors++;
}
}
if(data8.command !== undefined){
let data10 = data8.command;
if((typeof data10 !== "string") && (!(Array.isArray(data10)))){
const err19 = {instancePath:instancePath+"/container/command",schemaPath:"#/properties/container/properties/command/type",keyword:"type",params:{type: schema32.properties.container.properties.command.type},message:"must be string,array",schema:schema32.properties.container.properties.command.type,parentSchema:schema32.properties.container.properties.command,data:data10};
if(vErrors === null){
vErrors = [err19];
}
else {
vErrors.push(err19);
}
errors++;
}
if(Array.isArray(data10)){
const len1 = data10.length;
for(let i1=0; i1<len1; i1++){
let data11 = data10[i1];
if(typeof data11 !== "string"){
const err20 = {instancePath:instancePath+"/container/command/" + i1,schemaPath:"#/properties/container/properties/command/items/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema32.properties.container.properties.command.items.type,parentSchema:schema32.properties.container.properties.command.items,data:data11};
if(vErrors === null){
vErrors = [err20];
}
else {
vErrors.push(err20);
}
errors++;
}
}
}
}
if(data8.ports !== undefined){
let data12 = data8.ports;
if(Array.isArray(data12)){
const len2 = data12.length;
for(let i2=0; i2<len2; i2++){
let data13 = data12[i2];
if(typeof data13 === "string"){
if(!pattern13.test(data13)){
const err21 = {instancePath:instancePath+"/container/ports/" + i2,schemaPath:"#/properties/container/properties/ports/items/pattern",keyword:"pattern",params:{pattern: "^(\\[?[0-9A-Fa-f.:]+\\]?:)?([0-9]{1,5}(-[0-9]{1,5})?:)?[0-9]{1,5}(-[0-9]{1,5})?(/(tcp|udp|sctp))?$"},message:"must match pattern \""+"^(\\[?[0-9A-Fa-f.:]+\\]?:)?([0-9]{1,5}(-[0-9]{1,5})?:)?[0-9]{1,5}(-[0-9]{1,5})?(/(tcp|udp|sctp))?$"+"\"",schema:"^(\\[?[0-9A-Fa-f.:]+\\]?:)?([0-9]{1,5}(-[0-9]{1,5})?:)?[0-9]{1,5}(-[0-9]{1,5})?(/(tcp|udp|sctp))?$",parentSchema:schema32.properties.container.properties.ports.items,data:data13};
if(vErrors === null){
vErrors = [err21];
}
else {
vErrors.push(err21);
}
errors++;
}
}
else {
const err22 = {instancePath:instancePath+"/container/ports/" + i2,schemaPath:"#/properties/container/properties/ports/items/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema32.properties.container.properties.ports.items.type,parentSchema:schema32.properties.container.properties.ports.items,data:data13};
if(vErrors === null){
vErrors = [err22];
}
else {
vErrors.push(err22);
}
errors++;
}
}
}
else {
const err23 = {instancePath:instancePath+"/container/ports",schemaPath:"#/properties/container/properties/ports/type",keyword:"type",params:{type: "array"},message:"must be array",schema:schema32.properties.container.properties.ports.type,parentSchema:schema32.properties.container.properties.ports,data:data12};
if(vErrors === null){
vErrors = [err23];
}
else {
vErrors.push(err23);
}
errors++;
}
}
if(data8.env !== undefined){
let data14 = data8.env;
if((!(data14 && typeof data14 == "object" && !Array.isArray(data14))) && (data14 !== null)){
const err24 = {instancePath:instancePath+"/container/env",schemaPath:"#/definitions/env/type",keyword:"type",params:{type: schema26.type},message:"must be object,null",schema:schema26.type,parentSchema:schema26,data:data14};
if(vErrors === null){
vErrors = [err24];
}
else {
vErrors.push(err24);
}
errors++;
}
if(data14 && typeof data14 == "object" && !Array.isArray(data14)){
for(const key2 in data14){
const _errs39 = errors;
if(typeof key2 === "string"){
if(!pattern6.test(key2)){
const err25 = {instancePath:instancePath+"/container/env",schemaPath:"#/definitions/env/propertyNames/pattern",keyword:"pattern",params:{pattern: "^[A-Za-z_][A-Za-z0-9_]*$"},message:"must match pattern \""+"^[A-Za-z_][A-Za-z0-9_]*$"+"\"",schema:"^[A-Za-z_][A-Za-z0-9_]*$",parentSchema:schema26.propertyNames,data:key2,propertyName:key2};
if(vErrors === null){
vErrors = [err25];
}
else {
vErrors.push(err25);
}
errors++;
}
}
var valid14 = _errs39 === errors;
if(!valid14){
const err26 = {instancePath:instancePath+"/container/env",schemaPath:"#/definitions/env/propertyNames",keyword:"propertyNames",params:{propertyName: key2},message:"property name must be valid",schema:schema26.propertyNames,parentSchema:schema26,data:data14};
if(vErrors === null){
vErrors = [err26];
}
else {
vErrors.push(err26);
}
errors++;
}
}
for(const key3 in data14){
let data15 = data14[key3];
if(((typeof data15 !== "string") && (!((typeof data15 == "number") && (isFinite(data15))))) && (typeof data15 !== "boolean")){
const err27 = {instancePath:instancePath+"/container/env/" + key3.replace(/~/g, "~0").replace(/\//g, "~1"),schemaPath:"#/definitions/env/additionalProperties/type",keyword:"type",params:{type: schema26.additionalProperties.type},message:"must be string,number,boolean",schema:schema26.additionalProperties.type,parentSchema:schema26.additionalProperties,data:data15};
if(vErrors === null){
vErrors = [err27];
}
else {
vErrors.push(err27);
}
errors++;
}
}
}
}
if(data8.volumes !== undefined){
let data16 = data8.volumes;
if(Array.isArray(data16)){
const len3 = data16.length;
for(let i3=0; i3<len3; i3++){
let data17 = data16[i3];
if(typeof data17 === "string"){
if(func3(data17) < 1){
const err28 = {instancePath:instancePath+"/container/volumes/" + i3,schemaPath:"#/properties/container/properties/volumes/items/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters",schema:1,parentSchema:schema32.properties.container.properties.volumes.items,data:data17};
if(vErrors === null){
vErrors = [err28];
}
else {
vErrors.push(err28);
}
errors++;
}
}
else {
const err29 = {instancePath:instancePath+"/container/volumes/" + i3,schemaPath:"#/properties/container/properties/volumes/items/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema32.properties.container.properties.volumes.items.type,parentSchema:schema32.properties.container.properties.volumes.items,data:data17};
if(vErrors === null){
vErrors = [err29];
}
else {
vErrors.push(err29);
}
errors++;
}
}
}
else {
const err30 = {instancePath:instancePath+"/container/volumes",schemaPath:"#/properties/container/properties/volumes/type",keyword:"type",params:{type: "array"},message:"must be array",schema:schema32.properties.container.properties.volumes.type,parentSchema:schema32.properties.container.properties.volumes,data:data16};
if(vErrors === null){
vErrors = [err30];
}
else {
vErrors.push(err30);
}
errors++;
}
}
if(data8.restart !== undefined){
let data18 = data8.restart;
if(!((((data18 === "no") || (data18 === "always")) || (data18 === "unless-stopped")) || (data18 === "on-failure"))){
const err31 = {instancePath:instancePath+"/container/restart",schemaPath:"#/properties/container/properties/restart/enum",keyword:"enum",params:{allowedValues: schema32.properties.container.properties.restart.enum},message:"must be equal to one of the allowed values",schema:schema32.properties.container.properties.restart.enum,parentSchema:schema32.properties.container.properties.restart,data:data18};
if(vErrors === null){
vErrors = [err31];
}
else {
vErrors.push(err31);
}
errors++;
}
}
if(data8.healthcheck !== undefined){
let data19 = data8.healthcheck;
if(data19 && typeof data19 == "object" && !Array.isArray(data19)){
for(const key4 in data19){
if(!((((((key4 === "test") || (key4 === "interval")) || (key4 === "timeout")) || (key4 === "retries")) || (key4 === "startPeriod")) || (key4 === "wait"))){
const err32 = {instancePath:instancePath+"/container/healthcheck",schemaPath:"#/properties/container/properties/healthcheck/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key4},message:"must NOT have additional properties",schema:false,parentSchema:schema32.properties.container.properties.healthcheck,data:data19};
if(vErrors === null){
vErrors = [err32];
}
else {
vErrors.push(err32);
}
errors++;
}
}
if(data19.test !== undefined){
let data20 = data19.test;
if(typeof data20 === "string"){
if(func3(data20) < 1){
const err33 = {instancePath:instancePath+"/container/healthcheck/test",schemaPath:"#/properties/container/properties/healthcheck/properties/test/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters",schema:1,parentSchema:schema32.properties.container.properties.healthcheck.properties.test,data:data20};
if(vErrors === null){
vErrors = [err33];
}
else {
vErrors.push(err33);
}
errors++;
}
}
else {
const err34 = {instancePath:instancePath+"/container/healthcheck/test",schemaPath:"#/properties/container/properties/healthcheck/properties/test/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema32.properties.container.properties.healthcheck.properties.test.type,parentSchema:schema32.properties.container.properties.healthcheck.properties.test,data:data20};
if(vErrors === null){
vErrors = [err34];
}
else {
vErrors.push(err34);
}
errors++;
}
}
if(data19.interval !== undefined){
let data21 = data19.interval;
if((typeof data21 == "number") && (isFinite(data21))){
if(data21 <= 0 || isNaN(data21)){
const err35 = {instancePath:instancePath+"/container/healthcheck/interval",schemaPath:"#/properties/container/properties/healthcheck/properties/interval/exclusiveMinimum",keyword:"exclusiveMinimum",params:{comparison: ">", limit: 0},message:"must be > 0",schema:0,parentSchema:schema32.properties.container.properties.healthcheck.properties.interval,data:data21};
if(vErrors === null){
vErrors = [err35];
}
else {
vErrors.push(err35);
}
errors++;
}
}
else {
const err36 = {instancePath:instancePath+"/container/healthcheck/interval",schemaPath:"#/properties/container/properties/healthcheck/properties/interval/type",keyword:"type",params:{type: "number"},message:"must be number",schema:schema32.properties.container.properties.healthcheck.properties.interval.type,parentSchema:schema32.properties.container.properties.healthcheck.properties.interval,data:data21};
if(vErrors === null){
vErrors = [err36];
}
else {
vErrors.push(err36);
}
errors++;
}
}
if(data19.timeout !== undefined){
let data22 = data19.timeout;
if((typeof data22 == "number") && (isFinite(data22))){
if(data22 <= 0 || isNaN(data22)){
const err37 = {instancePath:instancePath+"/container/healthcheck/timeout",schemaPath:"#/properties/container/properties/healthcheck/properties/timeout/exclusiveMinimum",keyword:"exclusiveMinimum",params:{comparison: ">", limit: 0},message:"must be > 0",schema:0,parentSchema:schema32.properties.container.properties.healthcheck.properties.timeout,data:data22};
if(vErrors === null){
vErrors = [err37];
}
else {
vErrors.push(err37);
}
errors++;
}
}
else {
const err38 = {instancePath:instancePath+"/container/healthcheck/timeout",schemaPath:"#/properties/container/properties/healthcheck/properties/timeout/type",keyword:"type",params:{type: "number"},message:"must be number",schema:schema32.properties.container.properties.healthcheck.properties.timeout.type,parentSchema:schema32.properties.container.properties.healthcheck.properties.timeout,data:data22};
if(vErrors === null){
vErrors = [err38];
}
else {
vErrors.push(err38);
}
errors++;
}
}
if(data19.retries !== undefined){
let data23 = data19.retries;
if(!(((typeof data23 == "number") && (!(data23 % 1) && !isNaN(data23))) && (isFinite(data23)))){
const err39 = {instancePath:instancePath+"/container/healthcheck/retries",schemaPath:"#/properties/container/properties/healthcheck/properties/retries/type",keyword:"type",params:{type: "integer"},message:"must be integer",schema:schema32.properties.container.properties.healthcheck.properties.retries.type,parentSchema:schema32.properties.container.properties.healthcheck.properties.retries,data:data23};
if(vErrors === null){
vErrors = [err39];
}
else {
vErrors.push(err39);
}
errors++;
}
if((typeof data23 == "number") && (isFinite(data23))){
if(data23 < 1 || isNaN(data23)){
const err40 = {instancePath:instancePath+"/container/healthcheck/retries",schemaPath:"#/properties/container/properties/healthcheck/properties/retries/minimum",keyword:"minimum",params:{comparison: ">=", limit: 1},message:"must be >= 1",schema:1,parentSchema:schema32.properties.container.properties.healthcheck.properties.retries,data:data23};
if(vErrors === null){
vErrors = [err40];
}
else {
vErrors.push(err40);
}
errors++;
}
}
}
if(data19.startPeriod !== undefined){
let data24 = data19.startPeriod;
if((typeof data24 == "number") && (isFinite(data24))){
if(data24 < 0 || isNaN(data24)){
const err41 = {instancePath:instancePath+"/container/healthcheck/startPeriod",schemaPath:"#/properties/container/properties/healthcheck/properties/startPeriod/minimum",keyword:"minimum",params:{comparison: ">=", limit: 0},message:"must be >= 0",schema:0,parentSchema:schema32.properties.container.properties.healthcheck.properties.startPeriod,data:data24};
if(vErrors === null){
vErrors = [err41];
}
else {
vErrors.push(err41);
}
errors++;
}
}
else {
const err42 = {instancePath:instancePath+"/container/healthcheck/startPeriod",schemaPath:"#/properties/container/properties/healthcheck/properties/startPeriod/type",keyword:"type",params:{type: "number"},message:"must be number",schema:schema32.properties.container.properties.healthcheck.properties.startPeriod.type,parentSchema:schema32.properties.container.properties.healthcheck.properties.startPeriod,data:data24};
if(vErrors === null){
vErrors = [err42];
}
else {
vErrors.push(err42);
}
errors++;
}
}
if(data19.wait !== undefined){
let data25 = data19.wait;
if(!(((typeof data25 == "number") && (!(data25 % 1) && !isNaN(data25))) && (isFinite(data25)))){
const err43 = {instancePath:instancePath+"/container/healthcheck/wait",schemaPath:"#/properties/container/properties/healthcheck/properties/wait/type",keyword:"type",params:{type: "integer"},message:"must be integer",schema:schema32.properties.container.properties.healthcheck.properties.wait.type,parentSchema:schema32.properties.container.properties.healthcheck.properties.wait,data:data25};
if(vErrors === null){
vErrors = [err43];
}
else {
vErrors.push(err43);
}
errors++;
}
if((typeof data25 == "number") && (isFinite(data25))){
if(data25 > 3600 || isNaN(data25)){
const err44 = {instancePath:instancePath+"/container/healthcheck/wait",schemaPath:"#/properties/container/properties/healthcheck/properties/wait/maximum",keyword:"maximum",params:{comparison: "<=", limit: 3600},message:"must be <= 3600",schema:3600,parentSchema:schema32.properties.container.properties.healthcheck.properties.wait,data:data25};
if(vErrors === null){
vErrors = [err44];
}
else {
vErrors.push(err44);
}
errors++;
}
if(data25 < 1 || isNaN(data25)){
const err45 = {instancePath:instancePath+"/container/healthcheck/wait",schemaPath:"#/properties/container/properties/healthcheck/properties/wait/minimum",keyword:"minimum",params:{comparison: ">=", limit: 1},message:"must be >= 1",schema:1,parentSchema:schema32.properties.container.properties.healthcheck.properties.wait,data:data25};
if(vErrors === null){
vErrors = [err45];
}
else {
vErrors.push(err45);
}
errors++;
}
}
}
}
else {
const err46 = {instancePath:instancePath+"/container/healthcheck",schemaPath:"#/properties/container/properties/healthcheck/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema32.properties.container.properties.healthcheck.type,parentSchema:schema32.properties.container.properties.healthcheck,data:data19};
if(vErrors === null){
vErrors = [err46];
}
else {
vErrors.push(err46);
}
errors++;
}
}
if(data8.state !== undefined){
let data26 = data8.state;
if(!((data26 === "running") || (data26 === "stopped"))){
const err47 = {instancePath:instancePath+"/container/state",schemaPath:"#/properties/container/properties/state/enum",keyword:"enum",params:{allowedValues: schema32.properties.container.properties.state.enum},message:"must be equal to one of the allowed values",schema:schema32.properties.container.properties.state.enum,parentSchema:schema32.properties.container.properties.state,data:data26};
if(vErrors === null){
vErrors = [err47];
}
else {
vErrors.push(err47);
}
errors++;
}
}
}
else {
const err48 = {instancePath:instancePath+"/container",schemaPath:"#/properties/container/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema32.properties.container.type,parentSchema:schema32.properties.container,data:data8};
if(vErrors === null){
vErrors = [err48];
}
else {
vErrors.push(err48);
}
errors++;
}
}
}
else {
const err49 = {instancePath,schemaPath:"#/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema32.type,parentSchema:schema32,data};
if(vErrors === null){
vErrors = [err49];
}
else {
vErrors.push(err49);
}
errors++;
}
validate18.errors = vErrors;
return errors === 0;
}


function validate13(data, {instancePath="", parentData, parentDataProperty, rootData=data}={}){
let vErrors = null;
let errors = 0;
const _errs2 = errors;
let valid1 = true;
const _errs3 = errors;
if(data && typeof data == "object" && !Array.isArray(data)){
let missing0;
if((data.type === undefined) && (missing0 = "type")){
const err0 = {};
if(vErrors === null){
vErrors = [err0];
}
else {
vErrors.push(err0);
}
errors++;
}
else {
if(data.type !== undefined){
if("shell" !== data.type){
const err1 = {};
if(vErrors === null){
vErrors = [err1];
}
else {
vErrors.push(err1);
}
errors++;
}
}
}
}
var _valid0 = _errs3 === errors;
errors = _errs2;
if(vErrors !== null){
if(_errs2){
vErrors.length = _errs2;
}
else {
vErrors = null;
}
}
if(_valid0){
const _errs5 = errors;
if(!(validate14(data, {instancePath,parentData,parentDataProperty,rootData}))){
vErrors = vErrors === null ? validate14.errors : vErrors.concat(validate14.errors);
errors = vErrors.length;
}
var _valid0 = _errs5 === errors;
valid1 = _valid0;
}
if(!valid1){
const err2 = {instancePath,schemaPath:"#/allOf/0/if",keyword:"if",params:{failingKeyword: "then"},message:"must match \"then\" schema",schema:schema21.allOf[0].if,parentSchema:schema21.allOf[0],data};
if(vErrors === null){
vErrors = [err2];
}
else {
vErrors.push(err2);
}
errors++;
}
const _errs7 = errors;
let valid3 = true;
const _errs8 = errors;
if(data && typeof data == "object" && !Array.isArray(data)){
let missing1;
if((data.type === undefined) && (missing1 = "type")){
const err3 = {};
if(vErrors === null){
vErrors = [err3];
}
else {
vErrors.push(err3);
}
errors++;
}
else {
if(data.type !== undefined){
if("file" !== data.type){
const err4 = {};
if(vErrors === null){
vErrors = [err4];
}
else {
vErrors.push(err4);
}
errors++;
}
}
}
}
var _valid1 = _errs8 === errors;
errors = _errs7;
if(vErrors !== null){
if(_errs7){
vErrors.length = _errs7;
}
else {
vErrors = null;
}
}
if(_valid1){
const _errs10 = errors;
if(!(validate16(data, {instancePath,parentData,parentDataProperty,rootData}))){
vErrors = vErrors === null ? validate16.errors : vErrors.concat(validate16.errors);
errors = vErrors.length;
}
var _valid1 = _errs10 === errors;
valid3 = _valid1;
}
if(!valid3){
const err5 = {instancePath,schemaPath:"#/allOf/1/if",keyword:"if",params:{failingKeyword: "then"},message:"must match \"then\" schema",schema:schema21.allOf[1].if,parentSchema:schema21.allOf[1],data};
if(vErrors === null){
vErrors = [err5];
}
else {
vErrors.push(err5);
}
errors++;
}
const _errs12 = errors;
let valid5 = true;
const _errs13 = errors;
if(data && typeof data == "object" && !Array.isArray(data)){
let missing2;
if((data.type === undefined) && (missing2 = "type")){
const err6 = {};
if(vErrors === null){
vErrors = [err6];
}
else {
vErrors.push(err6);
}
errors++;
}
else {
if(data.type !== undefined){
if("docker" !== data.type){
const err7 = {};
if(vErrors === null){
vErrors = [err7];
}
else {
vErrors.push(err7);
}
errors++;
}
}
}
}
var _valid2 = _errs13 === errors;
errors = _errs12;
if(vErrors !== null){
if(_errs12){
vErrors.length = _errs12;
}
else {
vErrors = null;
}
}
if(_valid2){
const _errs15 = errors;
if(!(validate18(data, {instancePath,parentData,parentDataProperty,rootData}))){
vErrors = vErrors === null ? validate18.errors : vErrors.concat(validate18.errors);
errors = vErrors.length;
}
var _valid2 = _errs15 === errors;
valid5 = _valid2;
}
if(!valid5){
const err8 = {instancePath,schemaPath:"#/allOf/2/if",keyword:"if",params:{failingKeyword: "then"},message:"must match \"then\" schema",schema:schema21.allOf[2].if,parentSchema:schema21.allOf[2],data};
if(vErrors === null){
vErrors = [err8];
}
else {
vErrors.push(err8);
}
errors++;
}
if(data && typeof data == "object" && !Array.isArray(data)){
if(data.name === undefined){
const err9 = {instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: "name"},message:"must have required property '"+"name"+"'",schema:schema21.required,parentSchema:schema21,data};
if(vErrors === null){
vErrors = [err9];
}
else {
vErrors.push(err9);
}
errors++;
}
if(data.type === undefined){
const err10 = {instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: "type"},message:"must have required property '"+"type"+"'",schema:schema21.required,parentSchema:schema21,data};
if(vErrors === null){
vErrors = [err10];
}
else {
vErrors.push(err10);
}
errors++;
}
if(data.type !== undefined){
let data3 = data.type;
if(!(((data3 === "shell") || (data3 === "file")) || (data3 === "docker"))){
const err11 = {instancePath:instancePath+"/type",schemaPath:"#/properties/type/enum",keyword:"enum",params:{allowedValues: schema21.properties.type.enum},message:"must be equal to one of the allowed values",schema:schema21.properties.type.enum,parentSchema:schema21.properties.type,data:data3};
if(vErrors === null){
vErrors = [err11];
}
else {
vErrors.push(err11);
}
errors++;
}
}
}
else {
const err12 = {instancePath,schemaPath:"#/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema21.type,parentSchema:schema21,data};
if(vErrors === null){
vErrors = [err12];
}
else {
vErrors.push(err12);
}
errors++;
}
validate13.errors = vErrors;
return errors === 0;
}

const schema40 = {"type":"object","additionalProperties":false,"required":["name"],"properties":{"name":{"$ref":"#/definitions/name","description":"The host's name in tk: unique in the file, used as a target (tk check web1)."},"address":{"description":"What to connect to: a DNS name, an IP address or an ~/.ssh/config alias. Default: the name. Not for sandbox hosts.","type":"string","minLength":1,"pattern":"^[^\\s@-][^\\s@]*$","patternErrorMessage":"a host name, IP address or ~/.ssh/config alias without spaces or '@' (use user for the user), not starting with '-'"},"user":{"$ref":"#/definitions/user"},"port":{"$ref":"#/definitions/port"},"identityFile":{"$ref":"#/definitions/identityFile"},"groups":{"description":"Groups this host belongs to; @GROUP (or the bare group name) selects them all.","type":["array","null"],"items":{"$ref":"#/definitions/groupName"},"uniqueItems":true},"provider":{"$ref":"#/definitions/provider"},"release":{"$ref":"#/definitions/release"},"ports":{"description":"Sandbox hosts: ports of the machine published on this machine's loopback, as \"HOST_PORT:MACHINE_PORT\" (on 127.0.0.1) or \"127.0.0.1:HOST_PORT:MACHINE_PORT\", optionally /udp. Each host gives its own host ports (web-1 \"8080:8080\", web-2 \"8081:8080\"). Changing them re-creates the machine's container, keeping its disk, host key and address.","type":["array","null"],"items":{"type":"string","pattern":"^(127\\.[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}:)?[0-9]{1,5}:[0-9]{1,5}(/(tcp|udp))?$","patternErrorMessage":"a port published on this machine's loopback: \"8081:8080\" or \"127.0.0.1:8081:8080\" (optionally /udp)"},"uniqueItems":true},"engine":{"$ref":"#/definitions/engine"},"ssh":{"$ref":"#/definitions/hostSsh"},"bootstrap":{"$ref":"#/definitions/hostBootstrap"}}};
const pattern19 = new RegExp("^[^\\s@-][^\\s@]*$", "u");
const pattern22 = new RegExp("^(127\\.[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}:)?[0-9]{1,5}:[0-9]{1,5}(/(tcp|udp))?$", "u");
const schema48 = {"description":"SSH settings for this host alone.","type":["object","null"],"additionalProperties":false,"properties":{"hostKeyPolicy":{"$ref":"#/definitions/hostKeyPolicy"},"connectTimeout":{"$ref":"#/definitions/connectTimeout"}}};

function validate23(data, {instancePath="", parentData, parentDataProperty, rootData=data}={}){
let vErrors = null;
let errors = 0;
if((!(data && typeof data == "object" && !Array.isArray(data))) && (data !== null)){
const err0 = {instancePath,schemaPath:"#/type",keyword:"type",params:{type: schema48.type},message:"must be object,null",schema:schema48.type,parentSchema:schema48,data};
if(vErrors === null){
vErrors = [err0];
}
else {
vErrors.push(err0);
}
errors++;
}
if(data && typeof data == "object" && !Array.isArray(data)){
for(const key0 in data){
if(!((key0 === "hostKeyPolicy") || (key0 === "connectTimeout"))){
const err1 = {instancePath,schemaPath:"#/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key0},message:"must NOT have additional properties",schema:false,parentSchema:schema48,data};
if(vErrors === null){
vErrors = [err1];
}
else {
vErrors.push(err1);
}
errors++;
}
}
if(data.hostKeyPolicy !== undefined){
let data0 = data.hostKeyPolicy;
if(!(((data0 === "strict") || (data0 === "accept-new")) || (data0 === "off"))){
const err2 = {instancePath:instancePath+"/hostKeyPolicy",schemaPath:"#/definitions/hostKeyPolicy/enum",keyword:"enum",params:{allowedValues: schema17.enum},message:"must be equal to one of the allowed values",schema:schema17.enum,parentSchema:schema17,data:data0};
if(vErrors === null){
vErrors = [err2];
}
else {
vErrors.push(err2);
}
errors++;
}
}
if(data.connectTimeout !== undefined){
let data1 = data.connectTimeout;
if((typeof data1 == "number") && (isFinite(data1))){
if(data1 > 600 || isNaN(data1)){
const err3 = {instancePath:instancePath+"/connectTimeout",schemaPath:"#/definitions/connectTimeout/maximum",keyword:"maximum",params:{comparison: "<=", limit: 600},message:"must be <= 600",schema:600,parentSchema:schema18,data:data1};
if(vErrors === null){
vErrors = [err3];
}
else {
vErrors.push(err3);
}
errors++;
}
if(data1 <= 0 || isNaN(data1)){
const err4 = {instancePath:instancePath+"/connectTimeout",schemaPath:"#/definitions/connectTimeout/exclusiveMinimum",keyword:"exclusiveMinimum",params:{comparison: ">", limit: 0},message:"must be > 0",schema:0,parentSchema:schema18,data:data1};
if(vErrors === null){
vErrors = [err4];
}
else {
vErrors.push(err4);
}
errors++;
}
}
else {
const err5 = {instancePath:instancePath+"/connectTimeout",schemaPath:"#/definitions/connectTimeout/type",keyword:"type",params:{type: "number"},message:"must be number",schema:schema18.type,parentSchema:schema18,data:data1};
if(vErrors === null){
vErrors = [err5];
}
else {
vErrors.push(err5);
}
errors++;
}
}
}
validate23.errors = vErrors;
return errors === 0;
}

const schema51 = {"description":"First contact with this host (tk bootstrap, docs/bootstrap.md): who logs in with the provider's password, the admin's public key, and whether to turn off password and root logins. The admin is the host's user.","type":["object","null"],"additionalProperties":false,"properties":{"user":{"$ref":"#/definitions/user","description":"The user tk bootstrap logs in as with a password: root, or the provider's default user with sudo. Default: root."},"key":{"description":"The admin's public key file (.pub); ~ is your home directory, a relative path is relative to tk.yml. Default: the .pub beside the first identity file tk logs in with.","type":"string","minLength":1},"harden":{"description":"Whether tk bootstrap turns off password and root logins once the admin's key login is proven (as --harden). Default: false.","type":"boolean"}}};

function validate25(data, {instancePath="", parentData, parentDataProperty, rootData=data}={}){
let vErrors = null;
let errors = 0;
if((!(data && typeof data == "object" && !Array.isArray(data))) && (data !== null)){
const err0 = {instancePath,schemaPath:"#/type",keyword:"type",params:{type: schema51.type},message:"must be object,null",schema:schema51.type,parentSchema:schema51,data};
if(vErrors === null){
vErrors = [err0];
}
else {
vErrors.push(err0);
}
errors++;
}
if(data && typeof data == "object" && !Array.isArray(data)){
for(const key0 in data){
if(!(((key0 === "user") || (key0 === "key")) || (key0 === "harden"))){
const err1 = {instancePath,schemaPath:"#/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key0},message:"must NOT have additional properties",schema:false,parentSchema:schema51,data};
if(vErrors === null){
vErrors = [err1];
}
else {
vErrors.push(err1);
}
errors++;
}
}
if(data.user !== undefined){
let data0 = data.user;
if(typeof data0 === "string"){
if(!pattern1.test(data0)){
const err2 = {instancePath:instancePath+"/user",schemaPath:"#/definitions/user/pattern",keyword:"pattern",params:{pattern: "^[A-Za-z0-9_][A-Za-z0-9_.-]*[$]?$"},message:"must match pattern \""+"^[A-Za-z0-9_][A-Za-z0-9_.-]*[$]?$"+"\"",schema:"^[A-Za-z0-9_][A-Za-z0-9_.-]*[$]?$",parentSchema:schema13,data:data0};
if(vErrors === null){
vErrors = [err2];
}
else {
vErrors.push(err2);
}
errors++;
}
}
else {
const err3 = {instancePath:instancePath+"/user",schemaPath:"#/definitions/user/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema13.type,parentSchema:schema13,data:data0};
if(vErrors === null){
vErrors = [err3];
}
else {
vErrors.push(err3);
}
errors++;
}
}
if(data.key !== undefined){
let data1 = data.key;
if(typeof data1 === "string"){
if(func3(data1) < 1){
const err4 = {instancePath:instancePath+"/key",schemaPath:"#/properties/key/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters",schema:1,parentSchema:schema51.properties.key,data:data1};
if(vErrors === null){
vErrors = [err4];
}
else {
vErrors.push(err4);
}
errors++;
}
}
else {
const err5 = {instancePath:instancePath+"/key",schemaPath:"#/properties/key/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema51.properties.key.type,parentSchema:schema51.properties.key,data:data1};
if(vErrors === null){
vErrors = [err5];
}
else {
vErrors.push(err5);
}
errors++;
}
}
if(data.harden !== undefined){
let data2 = data.harden;
if(typeof data2 !== "boolean"){
const err6 = {instancePath:instancePath+"/harden",schemaPath:"#/properties/harden/type",keyword:"type",params:{type: "boolean"},message:"must be boolean",schema:schema51.properties.harden.type,parentSchema:schema51.properties.harden,data:data2};
if(vErrors === null){
vErrors = [err6];
}
else {
vErrors.push(err6);
}
errors++;
}
}
}
validate25.errors = vErrors;
return errors === 0;
}


function validate21(data, {instancePath="", parentData, parentDataProperty, rootData=data}={}){
let vErrors = null;
let errors = 0;
if(data && typeof data == "object" && !Array.isArray(data)){
if(data.name === undefined){
const err0 = {instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: "name"},message:"must have required property '"+"name"+"'",schema:schema40.required,parentSchema:schema40,data};
if(vErrors === null){
vErrors = [err0];
}
else {
vErrors.push(err0);
}
errors++;
}
for(const key0 in data){
if(!(func2.call(schema40.properties, key0))){
const err1 = {instancePath,schemaPath:"#/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key0},message:"must NOT have additional properties",schema:false,parentSchema:schema40,data};
if(vErrors === null){
vErrors = [err1];
}
else {
vErrors.push(err1);
}
errors++;
}
}
if(data.name !== undefined){
let data0 = data.name;
if(typeof data0 === "string"){
if(!pattern5.test(data0)){
const err2 = {instancePath:instancePath+"/name",schemaPath:"#/definitions/name/pattern",keyword:"pattern",params:{pattern: "^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$"},message:"must match pattern \""+"^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$"+"\"",schema:"^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$",parentSchema:schema23,data:data0};
if(vErrors === null){
vErrors = [err2];
}
else {
vErrors.push(err2);
}
errors++;
}
}
else {
const err3 = {instancePath:instancePath+"/name",schemaPath:"#/definitions/name/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema23.type,parentSchema:schema23,data:data0};
if(vErrors === null){
vErrors = [err3];
}
else {
vErrors.push(err3);
}
errors++;
}
}
if(data.address !== undefined){
let data1 = data.address;
if(typeof data1 === "string"){
if(func3(data1) < 1){
const err4 = {instancePath:instancePath+"/address",schemaPath:"#/properties/address/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters",schema:1,parentSchema:schema40.properties.address,data:data1};
if(vErrors === null){
vErrors = [err4];
}
else {
vErrors.push(err4);
}
errors++;
}
if(!pattern19.test(data1)){
const err5 = {instancePath:instancePath+"/address",schemaPath:"#/properties/address/pattern",keyword:"pattern",params:{pattern: "^[^\\s@-][^\\s@]*$"},message:"must match pattern \""+"^[^\\s@-][^\\s@]*$"+"\"",schema:"^[^\\s@-][^\\s@]*$",parentSchema:schema40.properties.address,data:data1};
if(vErrors === null){
vErrors = [err5];
}
else {
vErrors.push(err5);
}
errors++;
}
}
else {
const err6 = {instancePath:instancePath+"/address",schemaPath:"#/properties/address/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema40.properties.address.type,parentSchema:schema40.properties.address,data:data1};
if(vErrors === null){
vErrors = [err6];
}
else {
vErrors.push(err6);
}
errors++;
}
}
if(data.user !== undefined){
let data2 = data.user;
if(typeof data2 === "string"){
if(!pattern1.test(data2)){
const err7 = {instancePath:instancePath+"/user",schemaPath:"#/definitions/user/pattern",keyword:"pattern",params:{pattern: "^[A-Za-z0-9_][A-Za-z0-9_.-]*[$]?$"},message:"must match pattern \""+"^[A-Za-z0-9_][A-Za-z0-9_.-]*[$]?$"+"\"",schema:"^[A-Za-z0-9_][A-Za-z0-9_.-]*[$]?$",parentSchema:schema13,data:data2};
if(vErrors === null){
vErrors = [err7];
}
else {
vErrors.push(err7);
}
errors++;
}
}
else {
const err8 = {instancePath:instancePath+"/user",schemaPath:"#/definitions/user/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema13.type,parentSchema:schema13,data:data2};
if(vErrors === null){
vErrors = [err8];
}
else {
vErrors.push(err8);
}
errors++;
}
}
if(data.port !== undefined){
let data3 = data.port;
if(!(((typeof data3 == "number") && (!(data3 % 1) && !isNaN(data3))) && (isFinite(data3)))){
const err9 = {instancePath:instancePath+"/port",schemaPath:"#/definitions/port/type",keyword:"type",params:{type: "integer"},message:"must be integer",schema:schema14.type,parentSchema:schema14,data:data3};
if(vErrors === null){
vErrors = [err9];
}
else {
vErrors.push(err9);
}
errors++;
}
if((typeof data3 == "number") && (isFinite(data3))){
if(data3 > 65535 || isNaN(data3)){
const err10 = {instancePath:instancePath+"/port",schemaPath:"#/definitions/port/maximum",keyword:"maximum",params:{comparison: "<=", limit: 65535},message:"must be <= 65535",schema:65535,parentSchema:schema14,data:data3};
if(vErrors === null){
vErrors = [err10];
}
else {
vErrors.push(err10);
}
errors++;
}
if(data3 < 1 || isNaN(data3)){
const err11 = {instancePath:instancePath+"/port",schemaPath:"#/definitions/port/minimum",keyword:"minimum",params:{comparison: ">=", limit: 1},message:"must be >= 1",schema:1,parentSchema:schema14,data:data3};
if(vErrors === null){
vErrors = [err11];
}
else {
vErrors.push(err11);
}
errors++;
}
}
}
if(data.identityFile !== undefined){
let data4 = data.identityFile;
if(typeof data4 === "string"){
if(func3(data4) < 1){
const err12 = {instancePath:instancePath+"/identityFile",schemaPath:"#/definitions/identityFile/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters",schema:1,parentSchema:schema15,data:data4};
if(vErrors === null){
vErrors = [err12];
}
else {
vErrors.push(err12);
}
errors++;
}
}
else {
const err13 = {instancePath:instancePath+"/identityFile",schemaPath:"#/definitions/identityFile/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema15.type,parentSchema:schema15,data:data4};
if(vErrors === null){
vErrors = [err13];
}
else {
vErrors.push(err13);
}
errors++;
}
}
if(data.groups !== undefined){
let data5 = data.groups;
if((!(Array.isArray(data5))) && (data5 !== null)){
const err14 = {instancePath:instancePath+"/groups",schemaPath:"#/properties/groups/type",keyword:"type",params:{type: schema40.properties.groups.type},message:"must be array,null",schema:schema40.properties.groups.type,parentSchema:schema40.properties.groups,data:data5};
if(vErrors === null){
vErrors = [err14];
}
else {
vErrors.push(err14);
}
errors++;
}
if(Array.isArray(data5)){
const len0 = data5.length;
for(let i0=0; i0<len0; i0++){
let data6 = data5[i0];
if(typeof data6 === "string"){
if(!pattern17.test(data6)){
const err15 = {instancePath:instancePath+"/groups/" + i0,schemaPath:"#/definitions/groupName/pattern",keyword:"pattern",params:{pattern: "^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$"},message:"must match pattern \""+"^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$"+"\"",schema:"^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$",parentSchema:schema39,data:data6};
if(vErrors === null){
vErrors = [err15];
}
else {
vErrors.push(err15);
}
errors++;
}
}
else {
const err16 = {instancePath:instancePath+"/groups/" + i0,schemaPath:"#/definitions/groupName/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema39.type,parentSchema:schema39,data:data6};
if(vErrors === null){
vErrors = [err16];
}
else {
vErrors.push(err16);
}
errors++;
}
}
let i1 = data5.length;
let j0;
if(i1 > 1){
outer0:
for(;i1--;){
for(j0 = i1; j0--;){
if(func0(data5[i1], data5[j0])){
const err17 = {instancePath:instancePath+"/groups",schemaPath:"#/properties/groups/uniqueItems",keyword:"uniqueItems",params:{i: i1, j: j0},message:"must NOT have duplicate items (items ## "+j0+" and "+i1+" are identical)",schema:true,parentSchema:schema40.properties.groups,data:data5};
if(vErrors === null){
vErrors = [err17];
}
else {
vErrors.push(err17);
}
errors++;
break outer0;
}
}
}
}
}
}
if(data.provider !== undefined){
let data7 = data.provider;
if(!((data7 === "ssh") || (data7 === "sandbox"))){
const err18 = {instancePath:instancePath+"/provider",schemaPath:"#/definitions/provider/enum",keyword:"enum",params:{allowedValues: schema12.enum},message:"must be equal to one of the allowed values",schema:schema12.enum,parentSchema:schema12,data:data7};
if(vErrors === null){
vErrors = [err18];
}
else {
vErrors.push(err18);
}
errors++;
}
}
if(data.release !== undefined){
let data8 = data.release;
if(!(((data8 === "bullseye") || (data8 === "bookworm")) || (data8 === "trixie"))){
const err19 = {instancePath:instancePath+"/release",schemaPath:"#/definitions/release/enum",keyword:"enum",params:{allowedValues: schema16.enum},message:"must be equal to one of the allowed values",schema:schema16.enum,parentSchema:schema16,data:data8};
if(vErrors === null){
vErrors = [err19];
}
else {
vErrors.push(err19);
}
errors++;
}
}
if(data.ports !== undefined){
let data9 = data.ports;
if((!(Array.isArray(data9))) && (data9 !== null)){
const err20 = {instancePath:instancePath+"/ports",schemaPath:"#/properties/ports/type",keyword:"type",params:{type: schema40.properties.ports.type},message:"must be array,null",schema:schema40.properties.ports.type,parentSchema:schema40.properties.ports,data:data9};
if(vErrors === null){
vErrors = [err20];
}
else {
vErrors.push(err20);
}
errors++;
}
if(Array.isArray(data9)){
const len1 = data9.length;
for(let i2=0; i2<len1; i2++){
let data10 = data9[i2];
if(typeof data10 === "string"){
if(!pattern22.test(data10)){
const err21 = {instancePath:instancePath+"/ports/" + i2,schemaPath:"#/properties/ports/items/pattern",keyword:"pattern",params:{pattern: "^(127\\.[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}:)?[0-9]{1,5}:[0-9]{1,5}(/(tcp|udp))?$"},message:"must match pattern \""+"^(127\\.[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}:)?[0-9]{1,5}:[0-9]{1,5}(/(tcp|udp))?$"+"\"",schema:"^(127\\.[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}:)?[0-9]{1,5}:[0-9]{1,5}(/(tcp|udp))?$",parentSchema:schema40.properties.ports.items,data:data10};
if(vErrors === null){
vErrors = [err21];
}
else {
vErrors.push(err21);
}
errors++;
}
}
else {
const err22 = {instancePath:instancePath+"/ports/" + i2,schemaPath:"#/properties/ports/items/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema40.properties.ports.items.type,parentSchema:schema40.properties.ports.items,data:data10};
if(vErrors === null){
vErrors = [err22];
}
else {
vErrors.push(err22);
}
errors++;
}
}
let i3 = data9.length;
let j1;
if(i3 > 1){
const indices0 = {};
for(;i3--;){
let item0 = data9[i3];
if(typeof item0 !== "string"){
continue;
}
if(typeof indices0[item0] == "number"){
j1 = indices0[item0];
const err23 = {instancePath:instancePath+"/ports",schemaPath:"#/properties/ports/uniqueItems",keyword:"uniqueItems",params:{i: i3, j: j1},message:"must NOT have duplicate items (items ## "+j1+" and "+i3+" are identical)",schema:true,parentSchema:schema40.properties.ports,data:data9};
if(vErrors === null){
vErrors = [err23];
}
else {
vErrors.push(err23);
}
errors++;
break;
}
indices0[item0] = i3;
}
}
}
}
if(data.engine !== undefined){
if(!(validate11(data.engine, {instancePath:instancePath+"/engine",parentData:data,parentDataProperty:"engine",rootData}))){
vErrors = vErrors === null ? validate11.errors : vErrors.concat(validate11.errors);
errors = vErrors.length;
}
}
if(data.ssh !== undefined){
if(!(validate23(data.ssh, {instancePath:instancePath+"/ssh",parentData:data,parentDataProperty:"ssh",rootData}))){
vErrors = vErrors === null ? validate23.errors : vErrors.concat(validate23.errors);
errors = vErrors.length;
}
}
if(data.bootstrap !== undefined){
if(!(validate25(data.bootstrap, {instancePath:instancePath+"/bootstrap",parentData:data,parentDataProperty:"bootstrap",rootData}))){
vErrors = vErrors === null ? validate25.errors : vErrors.concat(validate25.errors);
errors = vErrors.length;
}
}
}
else {
const err24 = {instancePath,schemaPath:"#/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema40.type,parentSchema:schema40,data};
if(vErrors === null){
vErrors = [err24];
}
else {
vErrors.push(err24);
}
errors++;
}
validate21.errors = vErrors;
return errors === 0;
}


function validate10(data, {instancePath="", parentData, parentDataProperty, rootData=data}={}){
let vErrors = null;
let errors = 0;
if(data && typeof data == "object" && !Array.isArray(data)){
for(const key0 in data){
if(!((func2.call(schema11.properties, key0)) || (pattern0.test(key0)))){
const err0 = {instancePath,schemaPath:"#/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key0},message:"must NOT have additional properties",schema:false,parentSchema:schema11,data};
if(vErrors === null){
vErrors = [err0];
}
else {
vErrors.push(err0);
}
errors++;
}
}
if(data.version !== undefined){
let data0 = data.version;
if(1 !== data0){
const err1 = {instancePath:instancePath+"/version",schemaPath:"#/properties/version/const",keyword:"const",params:{allowedValue: 1},message:"must be equal to constant",schema:1,parentSchema:schema11.properties.version,data:data0};
if(vErrors === null){
vErrors = [err1];
}
else {
vErrors.push(err1);
}
errors++;
}
}
if(data.provider !== undefined){
let data1 = data.provider;
if(!((data1 === "ssh") || (data1 === "sandbox"))){
const err2 = {instancePath:instancePath+"/provider",schemaPath:"#/definitions/provider/enum",keyword:"enum",params:{allowedValues: schema12.enum},message:"must be equal to one of the allowed values",schema:schema12.enum,parentSchema:schema12,data:data1};
if(vErrors === null){
vErrors = [err2];
}
else {
vErrors.push(err2);
}
errors++;
}
}
if(data.defaults !== undefined){
let data2 = data.defaults;
if((!(data2 && typeof data2 == "object" && !Array.isArray(data2))) && (data2 !== null)){
const err3 = {instancePath:instancePath+"/defaults",schemaPath:"#/properties/defaults/type",keyword:"type",params:{type: schema11.properties.defaults.type},message:"must be object,null",schema:schema11.properties.defaults.type,parentSchema:schema11.properties.defaults,data:data2};
if(vErrors === null){
vErrors = [err3];
}
else {
vErrors.push(err3);
}
errors++;
}
if(data2 && typeof data2 == "object" && !Array.isArray(data2)){
for(const key1 in data2){
if(!((((key1 === "user") || (key1 === "port")) || (key1 === "identityFile")) || (key1 === "release"))){
const err4 = {instancePath:instancePath+"/defaults",schemaPath:"#/properties/defaults/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key1},message:"must NOT have additional properties",schema:false,parentSchema:schema11.properties.defaults,data:data2};
if(vErrors === null){
vErrors = [err4];
}
else {
vErrors.push(err4);
}
errors++;
}
}
if(data2.user !== undefined){
let data3 = data2.user;
if(typeof data3 === "string"){
if(!pattern1.test(data3)){
const err5 = {instancePath:instancePath+"/defaults/user",schemaPath:"#/definitions/user/pattern",keyword:"pattern",params:{pattern: "^[A-Za-z0-9_][A-Za-z0-9_.-]*[$]?$"},message:"must match pattern \""+"^[A-Za-z0-9_][A-Za-z0-9_.-]*[$]?$"+"\"",schema:"^[A-Za-z0-9_][A-Za-z0-9_.-]*[$]?$",parentSchema:schema13,data:data3};
if(vErrors === null){
vErrors = [err5];
}
else {
vErrors.push(err5);
}
errors++;
}
}
else {
const err6 = {instancePath:instancePath+"/defaults/user",schemaPath:"#/definitions/user/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema13.type,parentSchema:schema13,data:data3};
if(vErrors === null){
vErrors = [err6];
}
else {
vErrors.push(err6);
}
errors++;
}
}
if(data2.port !== undefined){
let data4 = data2.port;
if(!(((typeof data4 == "number") && (!(data4 % 1) && !isNaN(data4))) && (isFinite(data4)))){
const err7 = {instancePath:instancePath+"/defaults/port",schemaPath:"#/definitions/port/type",keyword:"type",params:{type: "integer"},message:"must be integer",schema:schema14.type,parentSchema:schema14,data:data4};
if(vErrors === null){
vErrors = [err7];
}
else {
vErrors.push(err7);
}
errors++;
}
if((typeof data4 == "number") && (isFinite(data4))){
if(data4 > 65535 || isNaN(data4)){
const err8 = {instancePath:instancePath+"/defaults/port",schemaPath:"#/definitions/port/maximum",keyword:"maximum",params:{comparison: "<=", limit: 65535},message:"must be <= 65535",schema:65535,parentSchema:schema14,data:data4};
if(vErrors === null){
vErrors = [err8];
}
else {
vErrors.push(err8);
}
errors++;
}
if(data4 < 1 || isNaN(data4)){
const err9 = {instancePath:instancePath+"/defaults/port",schemaPath:"#/definitions/port/minimum",keyword:"minimum",params:{comparison: ">=", limit: 1},message:"must be >= 1",schema:1,parentSchema:schema14,data:data4};
if(vErrors === null){
vErrors = [err9];
}
else {
vErrors.push(err9);
}
errors++;
}
}
}
if(data2.identityFile !== undefined){
let data5 = data2.identityFile;
if(typeof data5 === "string"){
if(func3(data5) < 1){
const err10 = {instancePath:instancePath+"/defaults/identityFile",schemaPath:"#/definitions/identityFile/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters",schema:1,parentSchema:schema15,data:data5};
if(vErrors === null){
vErrors = [err10];
}
else {
vErrors.push(err10);
}
errors++;
}
}
else {
const err11 = {instancePath:instancePath+"/defaults/identityFile",schemaPath:"#/definitions/identityFile/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema15.type,parentSchema:schema15,data:data5};
if(vErrors === null){
vErrors = [err11];
}
else {
vErrors.push(err11);
}
errors++;
}
}
if(data2.release !== undefined){
let data6 = data2.release;
if(!(((data6 === "bullseye") || (data6 === "bookworm")) || (data6 === "trixie"))){
const err12 = {instancePath:instancePath+"/defaults/release",schemaPath:"#/definitions/release/enum",keyword:"enum",params:{allowedValues: schema16.enum},message:"must be equal to one of the allowed values",schema:schema16.enum,parentSchema:schema16,data:data6};
if(vErrors === null){
vErrors = [err12];
}
else {
vErrors.push(err12);
}
errors++;
}
}
}
}
if(data.ssh !== undefined){
let data7 = data.ssh;
if((!(data7 && typeof data7 == "object" && !Array.isArray(data7))) && (data7 !== null)){
const err13 = {instancePath:instancePath+"/ssh",schemaPath:"#/properties/ssh/type",keyword:"type",params:{type: schema11.properties.ssh.type},message:"must be object,null",schema:schema11.properties.ssh.type,parentSchema:schema11.properties.ssh,data:data7};
if(vErrors === null){
vErrors = [err13];
}
else {
vErrors.push(err13);
}
errors++;
}
if(data7 && typeof data7 == "object" && !Array.isArray(data7)){
for(const key2 in data7){
if(!(((key2 === "hostKeyPolicy") || (key2 === "connectTimeout")) || (key2 === "concurrency"))){
const err14 = {instancePath:instancePath+"/ssh",schemaPath:"#/properties/ssh/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key2},message:"must NOT have additional properties",schema:false,parentSchema:schema11.properties.ssh,data:data7};
if(vErrors === null){
vErrors = [err14];
}
else {
vErrors.push(err14);
}
errors++;
}
}
if(data7.hostKeyPolicy !== undefined){
let data8 = data7.hostKeyPolicy;
if(!(((data8 === "strict") || (data8 === "accept-new")) || (data8 === "off"))){
const err15 = {instancePath:instancePath+"/ssh/hostKeyPolicy",schemaPath:"#/definitions/hostKeyPolicy/enum",keyword:"enum",params:{allowedValues: schema17.enum},message:"must be equal to one of the allowed values",schema:schema17.enum,parentSchema:schema17,data:data8};
if(vErrors === null){
vErrors = [err15];
}
else {
vErrors.push(err15);
}
errors++;
}
}
if(data7.connectTimeout !== undefined){
let data9 = data7.connectTimeout;
if((typeof data9 == "number") && (isFinite(data9))){
if(data9 > 600 || isNaN(data9)){
const err16 = {instancePath:instancePath+"/ssh/connectTimeout",schemaPath:"#/definitions/connectTimeout/maximum",keyword:"maximum",params:{comparison: "<=", limit: 600},message:"must be <= 600",schema:600,parentSchema:schema18,data:data9};
if(vErrors === null){
vErrors = [err16];
}
else {
vErrors.push(err16);
}
errors++;
}
if(data9 <= 0 || isNaN(data9)){
const err17 = {instancePath:instancePath+"/ssh/connectTimeout",schemaPath:"#/definitions/connectTimeout/exclusiveMinimum",keyword:"exclusiveMinimum",params:{comparison: ">", limit: 0},message:"must be > 0",schema:0,parentSchema:schema18,data:data9};
if(vErrors === null){
vErrors = [err17];
}
else {
vErrors.push(err17);
}
errors++;
}
}
else {
const err18 = {instancePath:instancePath+"/ssh/connectTimeout",schemaPath:"#/definitions/connectTimeout/type",keyword:"type",params:{type: "number"},message:"must be number",schema:schema18.type,parentSchema:schema18,data:data9};
if(vErrors === null){
vErrors = [err18];
}
else {
vErrors.push(err18);
}
errors++;
}
}
if(data7.concurrency !== undefined){
let data10 = data7.concurrency;
if(!(((typeof data10 == "number") && (!(data10 % 1) && !isNaN(data10))) && (isFinite(data10)))){
const err19 = {instancePath:instancePath+"/ssh/concurrency",schemaPath:"#/properties/ssh/properties/concurrency/type",keyword:"type",params:{type: "integer"},message:"must be integer",schema:schema11.properties.ssh.properties.concurrency.type,parentSchema:schema11.properties.ssh.properties.concurrency,data:data10};
if(vErrors === null){
vErrors = [err19];
}
else {
vErrors.push(err19);
}
errors++;
}
if((typeof data10 == "number") && (isFinite(data10))){
if(data10 > 1024 || isNaN(data10)){
const err20 = {instancePath:instancePath+"/ssh/concurrency",schemaPath:"#/properties/ssh/properties/concurrency/maximum",keyword:"maximum",params:{comparison: "<=", limit: 1024},message:"must be <= 1024",schema:1024,parentSchema:schema11.properties.ssh.properties.concurrency,data:data10};
if(vErrors === null){
vErrors = [err20];
}
else {
vErrors.push(err20);
}
errors++;
}
if(data10 < 1 || isNaN(data10)){
const err21 = {instancePath:instancePath+"/ssh/concurrency",schemaPath:"#/properties/ssh/properties/concurrency/minimum",keyword:"minimum",params:{comparison: ">=", limit: 1},message:"must be >= 1",schema:1,parentSchema:schema11.properties.ssh.properties.concurrency,data:data10};
if(vErrors === null){
vErrors = [err21];
}
else {
vErrors.push(err21);
}
errors++;
}
}
}
}
}
if(data.engine !== undefined){
if(!(validate11(data.engine, {instancePath:instancePath+"/engine",parentData:data,parentDataProperty:"engine",rootData}))){
vErrors = vErrors === null ? validate11.errors : vErrors.concat(validate11.errors);
errors = vErrors.length;
}
}
if(data.provisioners !== undefined){
let data12 = data.provisioners;
if((!(Array.isArray(data12))) && (data12 !== null)){
const err22 = {instancePath:instancePath+"/provisioners",schemaPath:"#/properties/provisioners/type",keyword:"type",params:{type: schema11.properties.provisioners.type},message:"must be array,null",schema:schema11.properties.provisioners.type,parentSchema:schema11.properties.provisioners,data:data12};
if(vErrors === null){
vErrors = [err22];
}
else {
vErrors.push(err22);
}
errors++;
}
if(Array.isArray(data12)){
const len0 = data12.length;
for(let i0=0; i0<len0; i0++){
if(!(validate13(data12[i0], {instancePath:instancePath+"/provisioners/" + i0,parentData:data12,parentDataProperty:i0,rootData}))){
vErrors = vErrors === null ? validate13.errors : vErrors.concat(validate13.errors);
errors = vErrors.length;
}
}
}
}
if(data.registries !== undefined){
let data14 = data.registries;
if((!(Array.isArray(data14))) && (data14 !== null)){
const err23 = {instancePath:instancePath+"/registries",schemaPath:"#/properties/registries/type",keyword:"type",params:{type: schema11.properties.registries.type},message:"must be array,null",schema:schema11.properties.registries.type,parentSchema:schema11.properties.registries,data:data14};
if(vErrors === null){
vErrors = [err23];
}
else {
vErrors.push(err23);
}
errors++;
}
if(Array.isArray(data14)){
const len1 = data14.length;
for(let i1=0; i1<len1; i1++){
let data15 = data14[i1];
if(data15 && typeof data15 == "object" && !Array.isArray(data15)){
if(data15.server === undefined){
const err24 = {instancePath:instancePath+"/registries/" + i1,schemaPath:"#/properties/registries/items/required",keyword:"required",params:{missingProperty: "server"},message:"must have required property '"+"server"+"'",schema:schema11.properties.registries.items.required,parentSchema:schema11.properties.registries.items,data:data15};
if(vErrors === null){
vErrors = [err24];
}
else {
vErrors.push(err24);
}
errors++;
}
for(const key3 in data15){
if(!((((key3 === "server") || (key3 === "username")) || (key3 === "password")) || (key3 === "credentialHelper"))){
const err25 = {instancePath:instancePath+"/registries/" + i1,schemaPath:"#/properties/registries/items/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key3},message:"must NOT have additional properties",schema:false,parentSchema:schema11.properties.registries.items,data:data15};
if(vErrors === null){
vErrors = [err25];
}
else {
vErrors.push(err25);
}
errors++;
}
}
if(data15.server !== undefined){
let data16 = data15.server;
if(typeof data16 === "string"){
if(!pattern15.test(data16)){
const err26 = {instancePath:instancePath+"/registries/" + i1+"/server",schemaPath:"#/properties/registries/items/properties/server/pattern",keyword:"pattern",params:{pattern: "^[A-Za-z0-9.-]+(:[0-9]{1,5})?$"},message:"must match pattern \""+"^[A-Za-z0-9.-]+(:[0-9]{1,5})?$"+"\"",schema:"^[A-Za-z0-9.-]+(:[0-9]{1,5})?$",parentSchema:schema11.properties.registries.items.properties.server,data:data16};
if(vErrors === null){
vErrors = [err26];
}
else {
vErrors.push(err26);
}
errors++;
}
}
else {
const err27 = {instancePath:instancePath+"/registries/" + i1+"/server",schemaPath:"#/properties/registries/items/properties/server/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.registries.items.properties.server.type,parentSchema:schema11.properties.registries.items.properties.server,data:data16};
if(vErrors === null){
vErrors = [err27];
}
else {
vErrors.push(err27);
}
errors++;
}
}
if(data15.username !== undefined){
let data17 = data15.username;
if(typeof data17 === "string"){
if(func3(data17) < 1){
const err28 = {instancePath:instancePath+"/registries/" + i1+"/username",schemaPath:"#/properties/registries/items/properties/username/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters",schema:1,parentSchema:schema11.properties.registries.items.properties.username,data:data17};
if(vErrors === null){
vErrors = [err28];
}
else {
vErrors.push(err28);
}
errors++;
}
}
else {
const err29 = {instancePath:instancePath+"/registries/" + i1+"/username",schemaPath:"#/properties/registries/items/properties/username/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.registries.items.properties.username.type,parentSchema:schema11.properties.registries.items.properties.username,data:data17};
if(vErrors === null){
vErrors = [err29];
}
else {
vErrors.push(err29);
}
errors++;
}
}
if(data15.password !== undefined){
let data18 = data15.password;
if(typeof data18 === "string"){
if(func3(data18) < 1){
const err30 = {instancePath:instancePath+"/registries/" + i1+"/password",schemaPath:"#/properties/registries/items/properties/password/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters",schema:1,parentSchema:schema11.properties.registries.items.properties.password,data:data18};
if(vErrors === null){
vErrors = [err30];
}
else {
vErrors.push(err30);
}
errors++;
}
}
else {
const err31 = {instancePath:instancePath+"/registries/" + i1+"/password",schemaPath:"#/properties/registries/items/properties/password/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.registries.items.properties.password.type,parentSchema:schema11.properties.registries.items.properties.password,data:data18};
if(vErrors === null){
vErrors = [err31];
}
else {
vErrors.push(err31);
}
errors++;
}
}
if(data15.credentialHelper !== undefined){
let data19 = data15.credentialHelper;
if(typeof data19 === "string"){
if(!pattern16.test(data19)){
const err32 = {instancePath:instancePath+"/registries/" + i1+"/credentialHelper",schemaPath:"#/properties/registries/items/properties/credentialHelper/pattern",keyword:"pattern",params:{pattern: "^[A-Za-z0-9_.-]+$"},message:"must match pattern \""+"^[A-Za-z0-9_.-]+$"+"\"",schema:"^[A-Za-z0-9_.-]+$",parentSchema:schema11.properties.registries.items.properties.credentialHelper,data:data19};
if(vErrors === null){
vErrors = [err32];
}
else {
vErrors.push(err32);
}
errors++;
}
}
else {
const err33 = {instancePath:instancePath+"/registries/" + i1+"/credentialHelper",schemaPath:"#/properties/registries/items/properties/credentialHelper/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.registries.items.properties.credentialHelper.type,parentSchema:schema11.properties.registries.items.properties.credentialHelper,data:data19};
if(vErrors === null){
vErrors = [err33];
}
else {
vErrors.push(err33);
}
errors++;
}
}
}
else {
const err34 = {instancePath:instancePath+"/registries/" + i1,schemaPath:"#/properties/registries/items/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema11.properties.registries.items.type,parentSchema:schema11.properties.registries.items,data:data15};
if(vErrors === null){
vErrors = [err34];
}
else {
vErrors.push(err34);
}
errors++;
}
}
}
}
if(data.groups !== undefined){
let data20 = data.groups;
if((!(data20 && typeof data20 == "object" && !Array.isArray(data20))) && (data20 !== null)){
const err35 = {instancePath:instancePath+"/groups",schemaPath:"#/properties/groups/type",keyword:"type",params:{type: schema11.properties.groups.type},message:"must be object,null",schema:schema11.properties.groups.type,parentSchema:schema11.properties.groups,data:data20};
if(vErrors === null){
vErrors = [err35];
}
else {
vErrors.push(err35);
}
errors++;
}
if(data20 && typeof data20 == "object" && !Array.isArray(data20)){
for(const key4 in data20){
const _errs50 = errors;
if(typeof key4 === "string"){
if(!pattern17.test(key4)){
const err36 = {instancePath:instancePath+"/groups",schemaPath:"#/definitions/groupName/pattern",keyword:"pattern",params:{pattern: "^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$"},message:"must match pattern \""+"^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$"+"\"",schema:"^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$",parentSchema:schema39,data:key4,propertyName:key4};
if(vErrors === null){
vErrors = [err36];
}
else {
vErrors.push(err36);
}
errors++;
}
}
else {
const err37 = {instancePath:instancePath+"/groups",schemaPath:"#/definitions/groupName/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema39.type,parentSchema:schema39,data:key4,propertyName:key4};
if(vErrors === null){
vErrors = [err37];
}
else {
vErrors.push(err37);
}
errors++;
}
var valid15 = _errs50 === errors;
if(!valid15){
const err38 = {instancePath:instancePath+"/groups",schemaPath:"#/properties/groups/propertyNames",keyword:"propertyNames",params:{propertyName: key4},message:"property name must be valid",schema:schema11.properties.groups.propertyNames,parentSchema:schema11.properties.groups,data:data20};
if(vErrors === null){
vErrors = [err38];
}
else {
vErrors.push(err38);
}
errors++;
}
}
for(const key5 in data20){
let data21 = data20[key5];
if(data21 && typeof data21 == "object" && !Array.isArray(data21)){
for(const key6 in data21){
if(!(key6 === "serial")){
const err39 = {instancePath:instancePath+"/groups/" + key5.replace(/~/g, "~0").replace(/\//g, "~1"),schemaPath:"#/properties/groups/additionalProperties/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key6},message:"must NOT have additional properties",schema:false,parentSchema:schema11.properties.groups.additionalProperties,data:data21};
if(vErrors === null){
vErrors = [err39];
}
else {
vErrors.push(err39);
}
errors++;
}
}
if(data21.serial !== undefined){
let data22 = data21.serial;
if(!(((typeof data22 == "number") && (!(data22 % 1) && !isNaN(data22))) && (isFinite(data22)))){
const err40 = {instancePath:instancePath+"/groups/" + key5.replace(/~/g, "~0").replace(/\//g, "~1")+"/serial",schemaPath:"#/properties/groups/additionalProperties/properties/serial/type",keyword:"type",params:{type: "integer"},message:"must be integer",schema:schema11.properties.groups.additionalProperties.properties.serial.type,parentSchema:schema11.properties.groups.additionalProperties.properties.serial,data:data22};
if(vErrors === null){
vErrors = [err40];
}
else {
vErrors.push(err40);
}
errors++;
}
if((typeof data22 == "number") && (isFinite(data22))){
if(data22 < 1 || isNaN(data22)){
const err41 = {instancePath:instancePath+"/groups/" + key5.replace(/~/g, "~0").replace(/\//g, "~1")+"/serial",schemaPath:"#/properties/groups/additionalProperties/properties/serial/minimum",keyword:"minimum",params:{comparison: ">=", limit: 1},message:"must be >= 1",schema:1,parentSchema:schema11.properties.groups.additionalProperties.properties.serial,data:data22};
if(vErrors === null){
vErrors = [err41];
}
else {
vErrors.push(err41);
}
errors++;
}
}
}
}
else {
const err42 = {instancePath:instancePath+"/groups/" + key5.replace(/~/g, "~0").replace(/\//g, "~1"),schemaPath:"#/properties/groups/additionalProperties/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema11.properties.groups.additionalProperties.type,parentSchema:schema11.properties.groups.additionalProperties,data:data21};
if(vErrors === null){
vErrors = [err42];
}
else {
vErrors.push(err42);
}
errors++;
}
}
}
}
if(data.hosts !== undefined){
let data23 = data.hosts;
if((!(Array.isArray(data23))) && (data23 !== null)){
const err43 = {instancePath:instancePath+"/hosts",schemaPath:"#/properties/hosts/type",keyword:"type",params:{type: schema11.properties.hosts.type},message:"must be array,null",schema:schema11.properties.hosts.type,parentSchema:schema11.properties.hosts,data:data23};
if(vErrors === null){
vErrors = [err43];
}
else {
vErrors.push(err43);
}
errors++;
}
if(Array.isArray(data23)){
const len2 = data23.length;
for(let i2=0; i2<len2; i2++){
if(!(validate21(data23[i2], {instancePath:instancePath+"/hosts/" + i2,parentData:data23,parentDataProperty:i2,rootData}))){
vErrors = vErrors === null ? validate21.errors : vErrors.concat(validate21.errors);
errors = vErrors.length;
}
}
}
}
if(data.swarm !== undefined){
let data25 = data.swarm;
if((!(data25 && typeof data25 == "object" && !Array.isArray(data25))) && (data25 !== null)){
const err44 = {instancePath:instancePath+"/swarm",schemaPath:"#/properties/swarm/type",keyword:"type",params:{type: schema11.properties.swarm.type},message:"must be object,null",schema:schema11.properties.swarm.type,parentSchema:schema11.properties.swarm,data:data25};
if(vErrors === null){
vErrors = [err44];
}
else {
vErrors.push(err44);
}
errors++;
}
if(data25 && typeof data25 == "object" && !Array.isArray(data25)){
if(data25.managers === undefined){
const err45 = {instancePath:instancePath+"/swarm",schemaPath:"#/properties/swarm/required",keyword:"required",params:{missingProperty: "managers"},message:"must have required property '"+"managers"+"'",schema:schema11.properties.swarm.required,parentSchema:schema11.properties.swarm,data:data25};
if(vErrors === null){
vErrors = [err45];
}
else {
vErrors.push(err45);
}
errors++;
}
for(const key7 in data25){
if(!((((((((key7 === "managers") || (key7 === "workers")) || (key7 === "advertise")) || (key7 === "defaultAddrPool")) || (key7 === "subnetSize")) || (key7 === "labels")) || (key7 === "availability")) || (key7 === "autolock"))){
const err46 = {instancePath:instancePath+"/swarm",schemaPath:"#/properties/swarm/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key7},message:"must NOT have additional properties",schema:false,parentSchema:schema11.properties.swarm,data:data25};
if(vErrors === null){
vErrors = [err46];
}
else {
vErrors.push(err46);
}
errors++;
}
}
if(data25.managers !== undefined){
let data26 = data25.managers;
if(Array.isArray(data26)){
if(data26.length < 1){
const err47 = {instancePath:instancePath+"/swarm/managers",schemaPath:"#/definitions/swarmMembers/minItems",keyword:"minItems",params:{limit: 1},message:"must NOT have fewer than 1 items",schema:1,parentSchema:schema53,data:data26};
if(vErrors === null){
vErrors = [err47];
}
else {
vErrors.push(err47);
}
errors++;
}
const len3 = data26.length;
for(let i3=0; i3<len3; i3++){
let data27 = data26[i3];
if(typeof data27 === "string"){
if(func3(data27) < 1){
const err48 = {instancePath:instancePath+"/swarm/managers/" + i3,schemaPath:"#/definitions/swarmMembers/items/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters",schema:1,parentSchema:schema53.items,data:data27};
if(vErrors === null){
vErrors = [err48];
}
else {
vErrors.push(err48);
}
errors++;
}
}
else {
const err49 = {instancePath:instancePath+"/swarm/managers/" + i3,schemaPath:"#/definitions/swarmMembers/items/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema53.items.type,parentSchema:schema53.items,data:data27};
if(vErrors === null){
vErrors = [err49];
}
else {
vErrors.push(err49);
}
errors++;
}
}
let i4 = data26.length;
let j0;
if(i4 > 1){
const indices0 = {};
for(;i4--;){
let item0 = data26[i4];
if(typeof item0 !== "string"){
continue;
}
if(typeof indices0[item0] == "number"){
j0 = indices0[item0];
const err50 = {instancePath:instancePath+"/swarm/managers",schemaPath:"#/definitions/swarmMembers/uniqueItems",keyword:"uniqueItems",params:{i: i4, j: j0},message:"must NOT have duplicate items (items ## "+j0+" and "+i4+" are identical)",schema:true,parentSchema:schema53,data:data26};
if(vErrors === null){
vErrors = [err50];
}
else {
vErrors.push(err50);
}
errors++;
break;
}
indices0[item0] = i4;
}
}
}
else {
const err51 = {instancePath:instancePath+"/swarm/managers",schemaPath:"#/definitions/swarmMembers/type",keyword:"type",params:{type: "array"},message:"must be array",schema:schema53.type,parentSchema:schema53,data:data26};
if(vErrors === null){
vErrors = [err51];
}
else {
vErrors.push(err51);
}
errors++;
}
}
if(data25.workers !== undefined){
let data28 = data25.workers;
if(Array.isArray(data28)){
if(data28.length < 1){
const err52 = {instancePath:instancePath+"/swarm/workers",schemaPath:"#/definitions/swarmMembers/minItems",keyword:"minItems",params:{limit: 1},message:"must NOT have fewer than 1 items",schema:1,parentSchema:schema53,data:data28};
if(vErrors === null){
vErrors = [err52];
}
else {
vErrors.push(err52);
}
errors++;
}
const len4 = data28.length;
for(let i5=0; i5<len4; i5++){
let data29 = data28[i5];
if(typeof data29 === "string"){
if(func3(data29) < 1){
const err53 = {instancePath:instancePath+"/swarm/workers/" + i5,schemaPath:"#/definitions/swarmMembers/items/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters",schema:1,parentSchema:schema53.items,data:data29};
if(vErrors === null){
vErrors = [err53];
}
else {
vErrors.push(err53);
}
errors++;
}
}
else {
const err54 = {instancePath:instancePath+"/swarm/workers/" + i5,schemaPath:"#/definitions/swarmMembers/items/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema53.items.type,parentSchema:schema53.items,data:data29};
if(vErrors === null){
vErrors = [err54];
}
else {
vErrors.push(err54);
}
errors++;
}
}
let i6 = data28.length;
let j1;
if(i6 > 1){
const indices1 = {};
for(;i6--;){
let item1 = data28[i6];
if(typeof item1 !== "string"){
continue;
}
if(typeof indices1[item1] == "number"){
j1 = indices1[item1];
const err55 = {instancePath:instancePath+"/swarm/workers",schemaPath:"#/definitions/swarmMembers/uniqueItems",keyword:"uniqueItems",params:{i: i6, j: j1},message:"must NOT have duplicate items (items ## "+j1+" and "+i6+" are identical)",schema:true,parentSchema:schema53,data:data28};
if(vErrors === null){
vErrors = [err55];
}
else {
vErrors.push(err55);
}
errors++;
break;
}
indices1[item1] = i6;
}
}
}
else {
const err56 = {instancePath:instancePath+"/swarm/workers",schemaPath:"#/definitions/swarmMembers/type",keyword:"type",params:{type: "array"},message:"must be array",schema:schema53.type,parentSchema:schema53,data:data28};
if(vErrors === null){
vErrors = [err56];
}
else {
vErrors.push(err56);
}
errors++;
}
}
if(data25.advertise !== undefined){
let data30 = data25.advertise;
if(data30 && typeof data30 == "object" && !Array.isArray(data30)){
for(const key8 in data30){
const _errs78 = errors;
if(typeof key8 === "string"){
if(!pattern5.test(key8)){
const err57 = {instancePath:instancePath+"/swarm/advertise",schemaPath:"#/definitions/name/pattern",keyword:"pattern",params:{pattern: "^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$"},message:"must match pattern \""+"^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$"+"\"",schema:"^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$",parentSchema:schema23,data:key8,propertyName:key8};
if(vErrors === null){
vErrors = [err57];
}
else {
vErrors.push(err57);
}
errors++;
}
}
else {
const err58 = {instancePath:instancePath+"/swarm/advertise",schemaPath:"#/definitions/name/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema23.type,parentSchema:schema23,data:key8,propertyName:key8};
if(vErrors === null){
vErrors = [err58];
}
else {
vErrors.push(err58);
}
errors++;
}
var valid30 = _errs78 === errors;
if(!valid30){
const err59 = {instancePath:instancePath+"/swarm/advertise",schemaPath:"#/properties/swarm/properties/advertise/propertyNames",keyword:"propertyNames",params:{propertyName: key8},message:"property name must be valid",schema:schema11.properties.swarm.properties.advertise.propertyNames,parentSchema:schema11.properties.swarm.properties.advertise,data:data30};
if(vErrors === null){
vErrors = [err59];
}
else {
vErrors.push(err59);
}
errors++;
}
}
for(const key9 in data30){
let data31 = data30[key9];
if(typeof data31 === "string"){
if(!pattern25.test(data31)){
const err60 = {instancePath:instancePath+"/swarm/advertise/" + key9.replace(/~/g, "~0").replace(/\//g, "~1"),schemaPath:"#/properties/swarm/properties/advertise/additionalProperties/pattern",keyword:"pattern",params:{pattern: "^[A-Za-z0-9.:_%-]{1,253}$"},message:"must match pattern \""+"^[A-Za-z0-9.:_%-]{1,253}$"+"\"",schema:"^[A-Za-z0-9.:_%-]{1,253}$",parentSchema:schema11.properties.swarm.properties.advertise.additionalProperties,data:data31};
if(vErrors === null){
vErrors = [err60];
}
else {
vErrors.push(err60);
}
errors++;
}
}
else {
const err61 = {instancePath:instancePath+"/swarm/advertise/" + key9.replace(/~/g, "~0").replace(/\//g, "~1"),schemaPath:"#/properties/swarm/properties/advertise/additionalProperties/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.swarm.properties.advertise.additionalProperties.type,parentSchema:schema11.properties.swarm.properties.advertise.additionalProperties,data:data31};
if(vErrors === null){
vErrors = [err61];
}
else {
vErrors.push(err61);
}
errors++;
}
}
}
else {
const err62 = {instancePath:instancePath+"/swarm/advertise",schemaPath:"#/properties/swarm/properties/advertise/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema11.properties.swarm.properties.advertise.type,parentSchema:schema11.properties.swarm.properties.advertise,data:data30};
if(vErrors === null){
vErrors = [err62];
}
else {
vErrors.push(err62);
}
errors++;
}
}
if(data25.defaultAddrPool !== undefined){
let data32 = data25.defaultAddrPool;
if(Array.isArray(data32)){
if(data32.length < 1){
const err63 = {instancePath:instancePath+"/swarm/defaultAddrPool",schemaPath:"#/properties/swarm/properties/defaultAddrPool/minItems",keyword:"minItems",params:{limit: 1},message:"must NOT have fewer than 1 items",schema:1,parentSchema:schema11.properties.swarm.properties.defaultAddrPool,data:data32};
if(vErrors === null){
vErrors = [err63];
}
else {
vErrors.push(err63);
}
errors++;
}
const len5 = data32.length;
for(let i7=0; i7<len5; i7++){
let data33 = data32[i7];
if(typeof data33 === "string"){
if(!pattern26.test(data33)){
const err64 = {instancePath:instancePath+"/swarm/defaultAddrPool/" + i7,schemaPath:"#/properties/swarm/properties/defaultAddrPool/items/pattern",keyword:"pattern",params:{pattern: "^[0-9]{1,3}(\\.[0-9]{1,3}){3}/[0-9]{1,2}$"},message:"must match pattern \""+"^[0-9]{1,3}(\\.[0-9]{1,3}){3}/[0-9]{1,2}$"+"\"",schema:"^[0-9]{1,3}(\\.[0-9]{1,3}){3}/[0-9]{1,2}$",parentSchema:schema11.properties.swarm.properties.defaultAddrPool.items,data:data33};
if(vErrors === null){
vErrors = [err64];
}
else {
vErrors.push(err64);
}
errors++;
}
}
else {
const err65 = {instancePath:instancePath+"/swarm/defaultAddrPool/" + i7,schemaPath:"#/properties/swarm/properties/defaultAddrPool/items/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.swarm.properties.defaultAddrPool.items.type,parentSchema:schema11.properties.swarm.properties.defaultAddrPool.items,data:data33};
if(vErrors === null){
vErrors = [err65];
}
else {
vErrors.push(err65);
}
errors++;
}
}
}
else {
const err66 = {instancePath:instancePath+"/swarm/defaultAddrPool",schemaPath:"#/properties/swarm/properties/defaultAddrPool/type",keyword:"type",params:{type: "array"},message:"must be array",schema:schema11.properties.swarm.properties.defaultAddrPool.type,parentSchema:schema11.properties.swarm.properties.defaultAddrPool,data:data32};
if(vErrors === null){
vErrors = [err66];
}
else {
vErrors.push(err66);
}
errors++;
}
}
if(data25.subnetSize !== undefined){
let data34 = data25.subnetSize;
if(!(((typeof data34 == "number") && (!(data34 % 1) && !isNaN(data34))) && (isFinite(data34)))){
const err67 = {instancePath:instancePath+"/swarm/subnetSize",schemaPath:"#/properties/swarm/properties/subnetSize/type",keyword:"type",params:{type: "integer"},message:"must be integer",schema:schema11.properties.swarm.properties.subnetSize.type,parentSchema:schema11.properties.swarm.properties.subnetSize,data:data34};
if(vErrors === null){
vErrors = [err67];
}
else {
vErrors.push(err67);
}
errors++;
}
if((typeof data34 == "number") && (isFinite(data34))){
if(data34 > 29 || isNaN(data34)){
const err68 = {instancePath:instancePath+"/swarm/subnetSize",schemaPath:"#/properties/swarm/properties/subnetSize/maximum",keyword:"maximum",params:{comparison: "<=", limit: 29},message:"must be <= 29",schema:29,parentSchema:schema11.properties.swarm.properties.subnetSize,data:data34};
if(vErrors === null){
vErrors = [err68];
}
else {
vErrors.push(err68);
}
errors++;
}
if(data34 < 16 || isNaN(data34)){
const err69 = {instancePath:instancePath+"/swarm/subnetSize",schemaPath:"#/properties/swarm/properties/subnetSize/minimum",keyword:"minimum",params:{comparison: ">=", limit: 16},message:"must be >= 16",schema:16,parentSchema:schema11.properties.swarm.properties.subnetSize,data:data34};
if(vErrors === null){
vErrors = [err69];
}
else {
vErrors.push(err69);
}
errors++;
}
}
}
if(data25.labels !== undefined){
let data35 = data25.labels;
if(data35 && typeof data35 == "object" && !Array.isArray(data35)){
for(const key10 in data35){
const _errs95 = errors;
if(typeof key10 === "string"){
if(!pattern27.test(key10)){
const err70 = {instancePath:instancePath+"/swarm/labels",schemaPath:"#/definitions/swarmHostKey/pattern",keyword:"pattern",params:{pattern: "^@?[A-Za-z0-9][A-Za-z0-9._-]{0,62}$"},message:"must match pattern \""+"^@?[A-Za-z0-9][A-Za-z0-9._-]{0,62}$"+"\"",schema:"^@?[A-Za-z0-9][A-Za-z0-9._-]{0,62}$",parentSchema:schema56,data:key10,propertyName:key10};
if(vErrors === null){
vErrors = [err70];
}
else {
vErrors.push(err70);
}
errors++;
}
}
else {
const err71 = {instancePath:instancePath+"/swarm/labels",schemaPath:"#/definitions/swarmHostKey/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema56.type,parentSchema:schema56,data:key10,propertyName:key10};
if(vErrors === null){
vErrors = [err71];
}
else {
vErrors.push(err71);
}
errors++;
}
var valid35 = _errs95 === errors;
if(!valid35){
const err72 = {instancePath:instancePath+"/swarm/labels",schemaPath:"#/properties/swarm/properties/labels/propertyNames",keyword:"propertyNames",params:{propertyName: key10},message:"property name must be valid",schema:schema11.properties.swarm.properties.labels.propertyNames,parentSchema:schema11.properties.swarm.properties.labels,data:data35};
if(vErrors === null){
vErrors = [err72];
}
else {
vErrors.push(err72);
}
errors++;
}
}
for(const key11 in data35){
let data36 = data35[key11];
if(data36 && typeof data36 == "object" && !Array.isArray(data36)){
for(const key12 in data36){
const _errs102 = errors;
if(typeof key12 === "string"){
if(!pattern28.test(key12)){
const err73 = {instancePath:instancePath+"/swarm/labels/" + key11.replace(/~/g, "~0").replace(/\//g, "~1"),schemaPath:"#/properties/swarm/properties/labels/additionalProperties/propertyNames/pattern",keyword:"pattern",params:{pattern: "^[A-Za-z0-9][A-Za-z0-9._/-]{0,127}$"},message:"must match pattern \""+"^[A-Za-z0-9][A-Za-z0-9._/-]{0,127}$"+"\"",schema:"^[A-Za-z0-9][A-Za-z0-9._/-]{0,127}$",parentSchema:schema11.properties.swarm.properties.labels.additionalProperties.propertyNames,data:key12,propertyName:key12};
if(vErrors === null){
vErrors = [err73];
}
else {
vErrors.push(err73);
}
errors++;
}
}
else {
const err74 = {instancePath:instancePath+"/swarm/labels/" + key11.replace(/~/g, "~0").replace(/\//g, "~1"),schemaPath:"#/properties/swarm/properties/labels/additionalProperties/propertyNames/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.swarm.properties.labels.additionalProperties.propertyNames.type,parentSchema:schema11.properties.swarm.properties.labels.additionalProperties.propertyNames,data:key12,propertyName:key12};
if(vErrors === null){
vErrors = [err74];
}
else {
vErrors.push(err74);
}
errors++;
}
var valid38 = _errs102 === errors;
if(!valid38){
const err75 = {instancePath:instancePath+"/swarm/labels/" + key11.replace(/~/g, "~0").replace(/\//g, "~1"),schemaPath:"#/properties/swarm/properties/labels/additionalProperties/propertyNames",keyword:"propertyNames",params:{propertyName: key12},message:"property name must be valid",schema:schema11.properties.swarm.properties.labels.additionalProperties.propertyNames,parentSchema:schema11.properties.swarm.properties.labels.additionalProperties,data:data36};
if(vErrors === null){
vErrors = [err75];
}
else {
vErrors.push(err75);
}
errors++;
}
}
for(const key13 in data36){
let data37 = data36[key13];
if(typeof data37 === "string"){
if(func3(data37) > 1024){
const err76 = {instancePath:instancePath+"/swarm/labels/" + key11.replace(/~/g, "~0").replace(/\//g, "~1")+"/" + key13.replace(/~/g, "~0").replace(/\//g, "~1"),schemaPath:"#/properties/swarm/properties/labels/additionalProperties/additionalProperties/maxLength",keyword:"maxLength",params:{limit: 1024},message:"must NOT have more than 1024 characters",schema:1024,parentSchema:schema11.properties.swarm.properties.labels.additionalProperties.additionalProperties,data:data37};
if(vErrors === null){
vErrors = [err76];
}
else {
vErrors.push(err76);
}
errors++;
}
}
else {
const err77 = {instancePath:instancePath+"/swarm/labels/" + key11.replace(/~/g, "~0").replace(/\//g, "~1")+"/" + key13.replace(/~/g, "~0").replace(/\//g, "~1"),schemaPath:"#/properties/swarm/properties/labels/additionalProperties/additionalProperties/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.swarm.properties.labels.additionalProperties.additionalProperties.type,parentSchema:schema11.properties.swarm.properties.labels.additionalProperties.additionalProperties,data:data37};
if(vErrors === null){
vErrors = [err77];
}
else {
vErrors.push(err77);
}
errors++;
}
}
}
else {
const err78 = {instancePath:instancePath+"/swarm/labels/" + key11.replace(/~/g, "~0").replace(/\//g, "~1"),schemaPath:"#/properties/swarm/properties/labels/additionalProperties/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema11.properties.swarm.properties.labels.additionalProperties.type,parentSchema:schema11.properties.swarm.properties.labels.additionalProperties,data:data36};
if(vErrors === null){
vErrors = [err78];
}
else {
vErrors.push(err78);
}
errors++;
}
}
}
else {
const err79 = {instancePath:instancePath+"/swarm/labels",schemaPath:"#/properties/swarm/properties/labels/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema11.properties.swarm.properties.labels.type,parentSchema:schema11.properties.swarm.properties.labels,data:data35};
if(vErrors === null){
vErrors = [err79];
}
else {
vErrors.push(err79);
}
errors++;
}
}
if(data25.availability !== undefined){
let data38 = data25.availability;
if(data38 && typeof data38 == "object" && !Array.isArray(data38)){
for(const key14 in data38){
const _errs110 = errors;
if(typeof key14 === "string"){
if(!pattern27.test(key14)){
const err80 = {instancePath:instancePath+"/swarm/availability",schemaPath:"#/definitions/swarmHostKey/pattern",keyword:"pattern",params:{pattern: "^@?[A-Za-z0-9][A-Za-z0-9._-]{0,62}$"},message:"must match pattern \""+"^@?[A-Za-z0-9][A-Za-z0-9._-]{0,62}$"+"\"",schema:"^@?[A-Za-z0-9][A-Za-z0-9._-]{0,62}$",parentSchema:schema56,data:key14,propertyName:key14};
if(vErrors === null){
vErrors = [err80];
}
else {
vErrors.push(err80);
}
errors++;
}
}
else {
const err81 = {instancePath:instancePath+"/swarm/availability",schemaPath:"#/definitions/swarmHostKey/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema56.type,parentSchema:schema56,data:key14,propertyName:key14};
if(vErrors === null){
vErrors = [err81];
}
else {
vErrors.push(err81);
}
errors++;
}
var valid40 = _errs110 === errors;
if(!valid40){
const err82 = {instancePath:instancePath+"/swarm/availability",schemaPath:"#/properties/swarm/properties/availability/propertyNames",keyword:"propertyNames",params:{propertyName: key14},message:"property name must be valid",schema:schema11.properties.swarm.properties.availability.propertyNames,parentSchema:schema11.properties.swarm.properties.availability,data:data38};
if(vErrors === null){
vErrors = [err82];
}
else {
vErrors.push(err82);
}
errors++;
}
}
for(const key15 in data38){
let data39 = data38[key15];
if(typeof data39 !== "string"){
const err83 = {instancePath:instancePath+"/swarm/availability/" + key15.replace(/~/g, "~0").replace(/\//g, "~1"),schemaPath:"#/definitions/availability/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema58.type,parentSchema:schema58,data:data39};
if(vErrors === null){
vErrors = [err83];
}
else {
vErrors.push(err83);
}
errors++;
}
if(!(((data39 === "active") || (data39 === "pause")) || (data39 === "drain"))){
const err84 = {instancePath:instancePath+"/swarm/availability/" + key15.replace(/~/g, "~0").replace(/\//g, "~1"),schemaPath:"#/definitions/availability/enum",keyword:"enum",params:{allowedValues: schema58.enum},message:"must be equal to one of the allowed values",schema:schema58.enum,parentSchema:schema58,data:data39};
if(vErrors === null){
vErrors = [err84];
}
else {
vErrors.push(err84);
}
errors++;
}
}
}
else {
const err85 = {instancePath:instancePath+"/swarm/availability",schemaPath:"#/properties/swarm/properties/availability/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema11.properties.swarm.properties.availability.type,parentSchema:schema11.properties.swarm.properties.availability,data:data38};
if(vErrors === null){
vErrors = [err85];
}
else {
vErrors.push(err85);
}
errors++;
}
}
if(data25.autolock !== undefined){
let data40 = data25.autolock;
if(typeof data40 !== "boolean"){
const err86 = {instancePath:instancePath+"/swarm/autolock",schemaPath:"#/properties/swarm/properties/autolock/type",keyword:"type",params:{type: "boolean"},message:"must be boolean",schema:schema11.properties.swarm.properties.autolock.type,parentSchema:schema11.properties.swarm.properties.autolock,data:data40};
if(vErrors === null){
vErrors = [err86];
}
else {
vErrors.push(err86);
}
errors++;
}
}
}
}
}
else {
const err87 = {instancePath,schemaPath:"#/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema11.type,parentSchema:schema11,data};
if(vErrors === null){
vErrors = [err87];
}
else {
vErrors.push(err87);
}
errors++;
}
validate10.errors = vErrors;
return errors === 0;
}

