#!/bin/bash
# After installing the .deb: the command on PATH, and Chromium's sandbox working on current Ubuntu.
# Ubuntu 23.10+ restricts unprivileged user namespaces to programs an AppArmor profile allows, so the
# app gets such a profile; where AppArmor cannot load one, chrome-sandbox is made SUID instead.

if type update-alternatives >/dev/null 2>&1; then
    if [ -L '/usr/bin/${executable}' ] && [ -e '/usr/bin/${executable}' ] && [ "$(readlink '/usr/bin/${executable}')" != '/etc/alternatives/${executable}' ]; then
        rm -f '/usr/bin/${executable}'
    fi
    update-alternatives --install '/usr/bin/${executable}' '${executable}' '/opt/${sanitizedProductName}/${executable}' 100 || ln -sf '/opt/${sanitizedProductName}/${executable}' '/usr/bin/${executable}'
else
    ln -sf '/opt/${sanitizedProductName}/${executable}' '/usr/bin/${executable}'
fi

profile='/etc/apparmor.d/${executable}'
if [ -d /etc/apparmor.d ] && command -v apparmor_parser >/dev/null 2>&1 && apparmor_parser --skip-kernel-load --debug /dev/null >/dev/null 2>&1; then
    cat > "$profile" <<PROFILE
abi <abi/4.0>,
include <tunables/global>

profile ${executable} "/opt/${sanitizedProductName}/${executable}" flags=(unconfined) {
  userns,
  include if exists <local/${executable}>
}
PROFILE
    if apparmor_parser --replace --write-cache --skip-read-cache "$profile" >/dev/null 2>&1; then
        chmod 0755 '/opt/${sanitizedProductName}/chrome-sandbox' || true
    else
        rm -f "$profile"
        chmod 4755 '/opt/${sanitizedProductName}/chrome-sandbox' || true
    fi
elif ! { [ -L /proc/self/ns/user ] && unshare --user true; } 2>/dev/null; then
    chmod 4755 '/opt/${sanitizedProductName}/chrome-sandbox' || true
else
    chmod 0755 '/opt/${sanitizedProductName}/chrome-sandbox' || true
fi

if hash update-mime-database 2>/dev/null; then
    update-mime-database /usr/share/mime || true
fi
if hash update-desktop-database 2>/dev/null; then
    update-desktop-database /usr/share/applications || true
fi
