/* The intake page's uploader (registry/intake.html): one request per file with a progress bar, drag and drop,
 * then refreshes the queue. A static file so that the Content-Security-Policy needs no inline script. */
(function () {
  const form = document.getElementById("upload-form");
  if (!form) return;
  const input = form.querySelector("input[type=file]");
  const list = document.getElementById("upload-list");
  const zone = document.getElementById("dropzone");
  const csrf = form.querySelector("[name=csrfmiddlewaretoken]").value;
  function row(name) {
    const li = document.createElement("li");
    li.innerHTML = '<span class="fname"></span> <progress max="100" value="0"></progress> <span class="state">Đang tải lên…</span>';
    li.querySelector(".fname").textContent = name;
    list.appendChild(li);
    return li;
  }
  function send(file) {
    return new Promise(function (resolve) {
      const li = row(file.name);
      const data = new FormData();
      data.append("uploads", file);
      data.append("unit", form.querySelector("[name=unit]").value);
      const xhr = new XMLHttpRequest();
      xhr.open("POST", form.action);
      xhr.setRequestHeader("X-CSRFToken", csrf);
      xhr.setRequestHeader("X-Upload", "1");
      xhr.upload.onprogress = function (e) { if (e.lengthComputable) li.querySelector("progress").value = Math.round(100 * e.loaded / e.total); };
      xhr.onload = function () {
        let body = {};
        try { body = JSON.parse(xhr.responseText); } catch (err) { body = {errors: ["Máy chủ trả lời không hợp lệ (mã " + xhr.status + ")."]}; }
        const ok = xhr.status === 200 && body.created && body.created.length;
        li.className = ok ? "ok" : "bad";
        li.querySelector(".state").textContent = ok ? "Đã tiếp nhận" : (body.errors || ["Lỗi tải lên"]).join(" ");
        li.querySelector("progress").value = 100;
        resolve();
      };
      xhr.onerror = function () { li.className = "bad"; li.querySelector(".state").textContent = "Mất kết nối, chưa tải lên được. Thử lại."; resolve(); };
      xhr.send(data);
    });
  }
  async function upload(files) {
    for (const f of files) { await send(f); }
    input.value = "";
    document.body.dispatchEvent(new Event("refresh"));
  }
  form.addEventListener("submit", function (e) { e.preventDefault(); if (input.files.length) upload(Array.from(input.files)); });
  input.addEventListener("change", function () { if (input.files.length) upload(Array.from(input.files)); });
  ["dragenter", "dragover"].forEach(function (t) { zone.addEventListener(t, function (e) { e.preventDefault(); zone.classList.add("over"); }); });
  ["dragleave", "drop"].forEach(function (t) { zone.addEventListener(t, function (e) { e.preventDefault(); zone.classList.remove("over"); }); });
  zone.addEventListener("drop", function (e) { upload(Array.from(e.dataTransfer.files)); });
})();
